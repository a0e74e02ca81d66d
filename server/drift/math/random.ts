/** The seeded PRNG (mulberry32) the model engine uses for sample rows: reproducible sampling and permutations. */
export { seededRandom as mulberry32 } from '../../model/samples';
