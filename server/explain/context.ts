/** What every explanation method gets besides its inputs: cancellation and progress (the job protocol's). */
export interface ExplainProgress {
  /** Model rows predicted so far in this method, of `total`. */
  done: number;
  total: number;
  step: string;
}

export interface ExplainContext {
  signal?: AbortSignal;
  progress?(progress: ExplainProgress): void;
}
