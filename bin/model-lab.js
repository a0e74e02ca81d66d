#!/usr/bin/env node
// The `model-lab` command: a CommonJS shim around the bundled CLI (built by `npm run build`).
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'server', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`model-lab: ${cli} is missing; build it first with 'npm run build'\n`);
  process.exit(1);
}
require(cli);
