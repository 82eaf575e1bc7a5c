#!/usr/bin/env node
// Parses AsyncAPI documents with the official parser (@asyncapi/parser, pinned in
// package-lock.json) and fails on any error or warning.
//
//   npm ci --prefix tools/asyncapi
//   node tools/asyncapi/validate.mjs docs/asyncapi/*.json
//
// Prints every diagnostic (errors, warnings, infos, hints) with its path in the document.
// Exit status: 0 when every document parses with no error and no warning, 1 otherwise,
// 2 on bad usage. --allow-warnings lets warnings pass (they are still printed).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import parserPackage from '@asyncapi/parser';

const { Parser, DiagnosticSeverity } = parserPackage;

const SEVERITY = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

const args = process.argv.slice(2);
const allowWarnings = args.includes('--allow-warnings');
const files = args.filter((a) => a !== '--allow-warnings');
if (files.length === 0) {
  console.error('usage: node tools/asyncapi/validate.mjs [--allow-warnings] FILE.json...');
  process.exit(2);
}

const parser = new Parser();
let failed = false;
for (const file of files) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    console.log(`${file}: cannot read: ${error.message}`);
    failed = true;
    continue;
  }
  const { document, diagnostics } = await parser.parse(text, {
    source: pathToFileURL(resolve(file)).href,
  });
  const blocking = diagnostics.filter(
    (d) =>
      d.severity === DiagnosticSeverity.Error ||
      (d.severity === DiagnosticSeverity.Warning && !allowWarnings),
  );
  for (const d of diagnostics) {
    const where = d.path && d.path.length ? d.path.join('/') : '(root)';
    const line = d.range ? `:${d.range.start.line + 1}` : '';
    console.log(`${file}${line}: ${SEVERITY[d.severity] ?? d.severity} [${d.code}] at ${where}: ${d.message}`);
  }
  if (document === undefined || blocking.length > 0) {
    console.log(`${file}: INVALID (${blocking.length} blocking diagnostic(s))`);
    failed = true;
  } else {
    const version = document.version();
    const channels = document.channels().length;
    const operations = document.operations().length;
    const messages = document.allMessages().length;
    console.log(
      `${file}: ok (AsyncAPI ${version}; ${channels} channels, ${operations} operations, ${messages} messages)`,
    );
  }
}
process.exit(failed ? 1 : 0);
