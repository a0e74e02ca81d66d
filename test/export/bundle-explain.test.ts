/**
 * The explanation report as an optional part of the deployment bundle (target `explain`): a real export
 * of a sample with its reference CSV writes explain/report.html and report.json, MANIFEST.json lists them
 * with their sha256, the checks pass and would catch a broken report; without reference data the
 * pre-check (engine and HTTP) and the export refuse it with words, and the CLI exits 1 saying why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ExportError, exportBundle, normalizeTargets, precheckExport } from '../../server/export/index';
import { checkExplainReportShape, externalReferences } from '../../server/export/verify/explain-report';
import type { ExplainReport } from '../../server/protocol/explain';
import { postJson, repoPath, startTestServer } from '../helpers/server';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('export target explain', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-export-explain-'));
  after(() => rmSync(temp, { recursive: true, force: true }));
  const flights = repoPath('samples/flights/flights.onnx');
  const flightsReference = repoPath('samples/flights/reference.csv');

  test('flights + reference CSV: report.html + .json in the bundle, listed with hashes, checks pass, README points to them', async () => {
    const out = join(temp, 'flights');
    const result = await exportBundle(flights, { outDir: out, targets: ['explain'], referenceCsv: flightsReference });
    assert.equal(result.ok, true, JSON.stringify(result.checks));
    assert.deepEqual(result.manifest.targets.written, ['onnx', 'explain']);

    for (const file of ['explain/report.html', 'explain/report.json']) {
      const listed = result.manifest.files.find((f) => f.path === file);
      assert.ok(listed, `MANIFEST.json lists ${file}`);
      assert.equal(listed.sha256, sha256(join(out, file)), `${file}: the manifest's sha256 is the file's`);
    }
    const checks = Object.fromEntries(result.checks.filter((c) => c.target === 'explain').map((c) => [c.name, c]));
    assert.equal(checks['explain-report-json']?.status, 'pass');
    assert.equal(checks['explain-report-html']?.status, 'pass');
    assert.match(checks['explain-report-html'].detail, /self-contained: \d+ inline SVG charts/);

    const report = JSON.parse(readFileSync(join(out, 'explain/report.json'), 'utf8')) as ExplainReport;
    assert.deepEqual(checkExplainReportShape(report), []);
    assert.equal(report.model.path, 'model/flights.onnx', 'paths of the exporting machine stay out of the bundle');
    assert.equal(report.data.path, 'reference.csv');
    assert.equal(report.data.target, 'delayed', 'the signature target is the truth of permutation importance');
    assert.ok(report.permutation && report.partialDependence && report.shap?.global, 'permutation, PDP and global SHAP are all there');
    assert.equal(report.permutation.features.length, 5);

    const html = readFileSync(join(out, 'explain/report.html'), 'utf8');
    assert.deepEqual(externalReferences(html), []);
    assert.match(html, /<h2>Permutation importance<\/h2>/);

    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(readme, /## Why the model predicts what it predicts/);
    assert.match(readme, /Open `explain\/report\.html` in a browser/);
    const top = [...report.permutation.features].sort((a, b) => b.mean - a.mean)[0].feature;
    assert.match(readme, new RegExp(`\\| \`${top}\` \\|`), 'the README names the most important feature');
  });

  test('the checks catch a malformed report and a page that loads from elsewhere', () => {
    const report = JSON.parse(readFileSync(join(temp, 'flights', 'explain/report.json'), 'utf8')) as ExplainReport;
    assert.match(checkExplainReportShape({ ...report, model: { ...report.model, task: 'ranking' } }).join(), /model\.task/);
    assert.match(
      checkExplainReportShape({
        ...report,
        permutation: { ...report.permutation!, features: report.permutation!.features.slice(1) },
      }).join(),
      /permutation\.features has 4 entries for 5 features/,
    );
    assert.match(checkExplainReportShape({ ...report, permutation: null, partialDependence: null, shap: null }).join(), /no method/);
    assert.deepEqual(
      externalReferences('<svg xmlns="http://www.w3.org/2000/svg"><a href="#x">x</a></svg>'),
      [],
      'a namespace loads nothing',
    );
    assert.deepEqual(externalReferences('<img src="https://cdn.example/x.png"><div style="background:url(//e.x/y.png)">'), [
      'https://cdn.example/x.png',
      '//e.x/y.png',
    ]);
    assert.deepEqual(externalReferences('<script>alert(1)</script>'), ['<script>']);
  });

  test('without reference data: the pre-check says why, the export refuses before writing anything', async () => {
    const iris = repoPath('samples/iris/iris.onnx');
    const pre = await precheckExport(iris, { targets: ['explain'] });
    const explain = pre.targets.find((t) => t.target === 'explain');
    assert.equal(explain?.ok, false);
    assert.match(explain.problems[0], /computed on the reference data and this export has none: start the server with --reference <csv>/);
    assert.equal(pre.targets.find((t) => t.target === 'onnx')?.ok, true);
    assert.equal(
      (await precheckExport(iris, { targets: ['explain'], referenceCsv: repoPath('samples/iris/reference.csv') })).targets[1].ok,
      true,
    );

    const out = join(temp, 'no-reference');
    await assert.rejects(exportBundle(iris, { outDir: out, targets: ['explain'] }), (err: unknown) => {
      assert.ok(err instanceof ExportError);
      assert.equal(err.status, 400);
      assert.match(err.message, /^explain: the explanation report is computed on the reference data/);
      return true;
    });
    assert.equal(existsSync(out), false, 'nothing was written');
  });

  test('explain is opt-in: an export that names no targets writes every deployment target but not the report', () => {
    assert.deepEqual(normalizeTargets(undefined), ['onnx', 'docker', 'k8s', 'kserve', 'triton', 'tfjs']);
    assert.deepEqual(normalizeTargets(['explain']), ['onnx', 'explain']);
  });

  test('POST /api/export/precheck: blocked with words on a server without reference data, ok with it', async () => {
    const bare = await startTestServer(repoPath('samples/iris/iris.onnx'));
    try {
      const { status, json } = await postJson(`${bare.url}/api/export/precheck?token=${bare.ownerToken}`, { targets: ['explain'] });
      assert.equal(status, 200);
      const explain = (json as { targets: { target: string; ok: boolean; problems: string[] }[] }).targets.find(
        (t) => t.target === 'explain',
      );
      assert.equal(explain?.ok, false);
      assert.match(explain.problems.join(), /has none: start the server with --reference/);
      // The export job refuses at once (400 naming targets), before a job or a folder exists.
      const job = await postJson(`${bare.url}/api/jobs/export?token=${bare.ownerToken}`, { targets: ['explain'] });
      assert.equal(job.status, 400);
      assert.match(JSON.stringify(job.json), /needs the model's reference data: serve it with --reference/);
      assert.match(JSON.stringify(job.json), /targets/);
    } finally {
      await bare.close();
    }
    const withReference = await startTestServer(flights, { host: { referenceCsv: flightsReference } });
    try {
      const { json } = await postJson(`${withReference.url}/api/export/precheck?token=${withReference.ownerToken}`, {
        targets: ['explain'],
      });
      assert.deepEqual(
        (json as { targets: { target: string; ok: boolean }[] }).targets.map((t) => `${t.target}:${t.ok}`),
        ['onnx:true', 'explain:true'],
      );
    } finally {
      await withReference.close();
    }
  });

  test('model-lab export --targets explain: exit 1 naming --reference without it; exit 0 and the report with it', () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [repoPath('bin/model-lab.js'), 'export', ...args], { encoding: 'utf8', cwd: repoPath() });
    const diabetes = repoPath('samples/diabetes/diabetes.onnx');
    const refused = cli([diabetes, '--targets', 'explain', '-o', join(temp, 'cli-refused')]);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /model-lab export: .*explain: .*pass --reference <csv> to model-lab export/);
    const out = join(temp, 'cli');
    const ok = cli([diabetes, '--reference', repoPath('samples/diabetes/reference.csv'), '--targets', 'explain', '-o', out]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /ok {4}explain explain-report-json/);
    assert.match(ok.stdout, /ok {4}explain explain-report-html/);
    assert.ok(existsSync(join(out, 'explain/report.html')));
    const help = spawnSync(process.execPath, [repoPath('bin/model-lab.js'), 'export', '--help'], { encoding: 'utf8' });
    assert.match(help.stdout + help.stderr, /onnx,docker,k8s,kserve,triton,tfjs,explain/);
  });
});
