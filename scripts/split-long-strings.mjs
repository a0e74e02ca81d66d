#!/usr/bin/env node
// Splits string and template literals that make a line longer than the formatter's width into
// concatenated pieces (at a space, never inside an escape or a `${}`), so Prettier can wrap them.
// Prettier never breaks a literal itself; this is the one-off (and re-runnable) help for the lines it
// leaves too long. Usage: node scripts/split-long-strings.mjs [--width 140] <files…>; then run Prettier.
import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

const args = process.argv.slice(2);
let width = 140;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--width') width = Number(args[++i]);
  else files.push(args[i]);
}
/** Longest piece a literal is cut into. */
const PIECE = 90;

/** Positions (in file offsets) inside a literal's raw text where a cut may go: after a space. */
function cutPoints(text, start, end, quoteLen) {
  const cuts = [];
  let last = start + quoteLen;
  for (let p = start + quoteLen; p < end - quoteLen; p++) {
    if (text[p - 1] === '\\') continue;
    if (text[p] === ' ' && p - last >= PIECE * 0.6 && p - last <= PIECE) {
      cuts.push(p + 1);
      last = p + 1;
    } else if (p - last > PIECE) {
      // No space in reach: look back for the latest space after `last`.
      const back = text.lastIndexOf(' ', p);
      if (back > last + 10) {
        cuts.push(back + 1);
        last = back + 1;
      }
    }
  }
  return cuts.filter((c) => c < end - quoteLen - 10);
}

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lineStarts = source.getLineStarts();
  const longLines = new Set();
  for (let i = 0; i < lineStarts.length; i++) {
    const endOfLine = i + 1 < lineStarts.length ? lineStarts[i + 1] - 1 : text.length;
    if (endOfLine - lineStarts[i] > width) longLines.add(i);
  }
  if (longLines.size === 0) continue;
  /** [offset, insertion] pairs. */
  const edits = [];
  const visit = (node) => {
    const start = node.getStart(source);
    const line = source.getLineAndCharacterOfPosition(start).line;
    const endLine = source.getLineAndCharacterOfPosition(node.end).line;
    const onLongLine = longLines.has(line) && line === endLine;
    const inType =
      !node.parent ||
      ts.isLiteralTypeNode(node.parent) ||
      ts.isImportDeclaration(node.parent) ||
      ts.isExportDeclaration(node.parent) ||
      (ts.isPropertyAssignment(node.parent) && node.parent.name === node) ||
      ts.isExternalModuleReference(node.parent) ||
      ts.isCaseClause(node.parent) ||
      ts.isElementAccessExpression(node.parent) ||
      ts.isTaggedTemplateExpression(node.parent);
    if (onLongLine && !inType && node.end - start > PIECE + 20) {
      if (ts.isStringLiteral(node)) {
        const q = text[start];
        for (const cut of cutPoints(text, start, node.end, 1)) edits.push([cut, `${q} + ${q}`]);
      } else if (ts.isNoSubstitutionTemplateLiteral(node)) {
        for (const cut of cutPoints(text, start, node.end, 1)) edits.push([cut, '` + `']);
      } else if (ts.isTemplateExpression(node)) {
        // Candidate cuts: before each `${` (the end of the head and of every middle part) and after
        // spaces inside long literal parts; taken greedily so no piece is longer than PIECE.
        const parts = [node.head, ...node.templateSpans.map((s) => s.literal)];
        const candidates = [];
        for (const part of parts) {
          const s = part.getStart(source);
          const close = ts.isTemplateTail(part) ? 1 : 2;
          for (let p = s + 1; p < part.end - close; p++) if (text[p] === ' ' && text[p - 1] !== '\\') candidates.push(p + 1);
          if (!ts.isTemplateTail(part)) candidates.push(part.end - 2);
        }
        let last = start;
        let best;
        for (const c of candidates) {
          if (c - last > PIECE && best !== undefined && best > last) {
            edits.push([best, '` + `']);
            last = best;
            best = undefined;
          }
          if (c < node.end - 15) best = c;
        }
        if (edits.some(([o]) => o > start && o < node.end)) {
          // A template cut into pieces must stay one expression where it is used.
          edits.push([start, '(']);
          edits.push([node.end, ')']);
        }
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (edits.length === 0) continue;
  edits.sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [offset, insert] of edits) out = out.slice(0, offset) + insert + out.slice(offset);
  writeFileSync(file, out);
  console.log(`${file}: ${edits.length} cut(s)`);
}
