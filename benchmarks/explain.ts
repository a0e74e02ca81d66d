/**
 * Explain engine benchmark (figures, not a test), side by side with Python in the same run:
 *
 *   npm run bench:explain
 *
 * 1. Permutation importance, breast cancer (all 569 rows × 30 features, 5 repeats, accuracy) — Model Lab
 *    on the sample's ONNX MLP vs sklearn's `permutation_importance` on the same network evaluated by numpy
 *    (the sample's source model is PyTorch, which Debian's Python lacks; its ONNX weights run as a
 *    numpy estimator, float32 like the ONNX graph). Both timed in-process around the one call, model
 *    loaded beforehand, single-threaded numpy (OMP/OpenBLAS threads 1) vs onnxruntime's default threads.
 * 2. Partial dependence of every feature, 20 grid points × 500 rows (and sklearn's `partial_dependence`
 *    brute on the same numpy estimator).
 * 3. KernelSHAP for one row of 30 features with a 100-row background (goal < 250 ms).
 * 4. TreeSHAP for one row of the diabetes-gbm ensemble (100 trees, depth ≤ 6; goal < 5 ms) vs xgboost's
 *    `pred_contribs` on the same row.
 * Each figure is the median of several runs after one warm-up. Python parts are skipped (and said so)
 * when /usr/bin/python3 lacks sklearn / xgboost.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeCovers,
  createPredictor,
  kernelShap,
  partialDependence,
  permutationImportance,
  readTable,
  readTreeEnsemble,
  takeRows,
  treeShap,
  truthFromTarget,
} from '../server/explain/index';
import { loadModel } from '../server/model/index';

const ROOT = join(import.meta.dirname, '..');
const RUNS = 5;

async function median(runs: number, fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const PYTHON = String.raw`
import json, sys, time
import numpy as np
import onnx
from onnx import numpy_helper
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.inspection import partial_dependence, permutation_importance

class OnnxMlp(BaseEstimator, ClassifierMixin):
    """The breast-cancer sample's network (Sub, Div, Gemm, Relu, Gemm, Relu, Gemm, Softmax) in numpy, float32."""
    def __init__(self, path=None):
        self.path = path
    def fit(self, x=None, y=None):
        w = {t.name: numpy_helper.to_array(t) for t in onnx.load(self.path).graph.initializer}
        self.w_ = w
        self.classes_ = np.array([0, 1])
        return self
    def predict_proba(self, x):
        w = self.w_
        h = (np.asarray(x, dtype=np.float32) - w["mean"]) / w["std"]
        h = np.maximum(h @ w["layers.0.weight"].T + w["layers.0.bias"], 0)
        h = np.maximum(h @ w["layers.2.weight"].T + w["layers.2.bias"], 0)
        z = h @ w["layers.4.weight"].T + w["layers.4.bias"]
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)
    def predict(self, x):
        return self.predict_proba(x).argmax(axis=1)

def median(fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]

out = {}
root = sys.argv[1]
data = load_breast_cancer()
x, y = data.data, data.target
model = OnnxMlp(root + "/samples/breast-cancer/breast_cancer.onnx").fit()
out["permutation"] = median(lambda: permutation_importance(model, x, y, scoring="accuracy", n_repeats=5, random_state=0))
rows = x[np.random.default_rng(0).choice(len(x), 500, replace=False)]
out["pdp"] = median(lambda: [partial_dependence(model, rows, [j], method="brute", grid_resolution=20) for j in range(30)], runs=3)
try:
    import xgboost
    sys.path.insert(0, root + "/samples/diabetes-gbm"); sys.path.insert(0, root + "/samples"); sys.dont_write_bytecode = True
    import make_diabetes_gbm
    names, gx, gy, booster, _ = make_diabetes_gbm.train()
    one = xgboost.DMatrix(gx[:1].astype(np.float32))
    out["treeshap"] = median(lambda: booster.predict(one, pred_contribs=True), runs=51)
except ImportError:
    out["treeshap"] = None
print(json.dumps(out))
`;

function python(): Record<string, number | null> | string {
  const result = spawnSync('/usr/bin/python3', ['-c', PYTHON, ROOT], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  if (result.status !== 0) return `python part skipped: ${(result.stderr || result.error?.message || '').trim().split('\n').at(-1)}`;
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, number | null>;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'explain-bench-'));
  try {
    // All 569 rows of sklearn's breast cancer data: reference.csv (426 training rows) is most of it; the
    // Python side writes the full table so both read the same rows.
    const csv = join(dir, 'breast-cancer-569.csv');
    const written = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, csv; from sklearn.datasets import load_breast_cancer as l; d = l(); ' +
          'w = csv.writer(open(sys.argv[1], "w", newline="")); ' +
          'w.writerow(list(d.feature_names) + ["diagnosis"]); [w.writerow([repr(float(v)) for v in r] + [["malignant", "benign"][t]]) ' +
          'for r, t in zip(d.data, d.target)]',
        csv,
      ],
      { encoding: 'utf8' },
    );
    const data = written.status === 0 ? csv : join(ROOT, 'samples/breast-cancer/reference.csv');
    if (written.status !== 0) writeFileSync(join(dir, 'note'), 'no sklearn: using reference.csv');
    const model = await loadModel(join(ROOT, 'samples/breast-cancer/breast_cancer.onnx'), { referenceCsv: data });
    const table = await readTable(data, model.signature, { target: 'diagnosis' });
    const predictor = createPredictor(model, table.features);
    const truth = truthFromTarget(
      table.target!,
      'classification',
      (await predictor.predict(table.values, 1), predictor.outputs),
      'diagnosis',
    );
    const permutationMs = await median(RUNS, () =>
      permutationImportance(predictor, table, truth, { metric: 'accuracy', nRepeats: 5, seed: 0 }),
    );
    const rows500 = { ...table, rows: 500, values: table.values.subarray(0, 500 * 30) };
    const pdpMs = await median(3, () => partialDependence(predictor, rows500, { gridResolution: 20, iceRows: 0 }));
    const background = {
      width: 30,
      background: takeRows(
        table,
        [...Array(100).keys()].map((i) => i * 5),
      ),
      backgroundRows: 100,
      predictor,
    };
    const row = takeRows(table, [3]);
    const kernelMs = await median(RUNS, () => kernelShap(background, [row], { seed: 0 }));
    await model.dispose();

    const gbm = await loadModel(join(ROOT, 'samples/diabetes-gbm/diabetes_gbm.onnx'), {
      referenceCsv: join(ROOT, 'samples/diabetes-gbm/reference.csv'),
    });
    const gbmTable = await readTable(join(ROOT, 'samples/diabetes-gbm/reference.csv'), gbm.signature);
    const found = await readTreeEnsemble(
      gbm.info.path,
      gbm.signature,
      'variable',
      gbmTable.features.map((f) => f.name),
    );
    const ensemble = found.ensemble!;
    computeCovers(ensemble, gbmTable.values, gbmTable.rows, 10);
    const gbmRow = takeRows(gbmTable, [0]);
    const treeMs = await median(51, () => treeShap(ensemble, [gbmRow], 10));
    await gbm.dispose();

    const py = python();
    const side = (key: string) =>
      typeof py === 'string' || py[key] === null || py[key] === undefined ? 'n/a' : `${py[key].toFixed(2)} ms`;
    const lines = [
      `Explain benchmark (${new Date().toISOString()}, node ${process.version})`,
      `permutation importance, breast cancer ${table.rows}×30, 5 repeats:  Model Lab ${permutationMs.toFixed(1)} ms   ` +
        `sklearn ${side('permutation')}`,
      `partial dependence, 30 features × 20 grid × 500 rows:          Model Lab ${pdpMs.toFixed(1)} ms   sklearn ${side('pdp')}`,
      `KernelSHAP, one row, 30 features, 100 background rows (${2 * 30 + 512} coalitions): ${kernelMs.toFixed(1)} ms (goal < 250 ms)`,
      `TreeSHAP, one row, ${ensemble.trees.length} trees depth ≤ ${Math.max(...ensemble.trees.map((t) => t.maxDepth))}:  ` +
        `Model Lab ${treeMs.toFixed(3)} ms (goal < 5 ms)   xgboost pred_contribs ${side('treeshap')}`,
    ];
    if (typeof py === 'string') lines.push(py);
    console.log(lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
