#!/usr/bin/env node
// Compiles contracts/*.sol with solc-js (standard JSON) and writes {"Name": {"abi": [...], "bytecode": "0x..."}}
// to the file given as the only argument. Imports ("@openzeppelin/...") are resolved from node_modules.
// The output depends only on the sources, this script and the pinned solc: same input, same bytes.
//   node tests/evm/compile.js out/contracts.json
'use strict';

const fs = require('fs');
const path = require('path');

const here = __dirname;
const contractsDir = path.join(here, 'contracts');
const nodeModules = path.join(here, 'node_modules');

function fail(message) {
  process.stderr.write(`compile.js: ${message}\n`);
  process.exit(1);
}

if (process.argv.length !== 3) {
  fail('usage: node compile.js OUTPUT.json');
}

const output = path.resolve(process.argv[2]);

let solc;
try {
  solc = require(path.join(nodeModules, 'solc'));
} catch (e) {
  fail(`solc is not installed in ${nodeModules} (run scripts/test.sh, or npm ci in tests/evm): ${e.message}`);
}

const files = fs.readdirSync(contractsDir).filter((f) => f.endsWith('.sol')).sort();
if (files.length === 0) {
  fail(`no .sol files in ${contractsDir}`);
}

const sources = {};
for (const file of files) {
  sources[file] = { content: fs.readFileSync(path.join(contractsDir, file), 'utf8') };
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};

function findImports(importPath) {
  const candidates = [path.join(nodeModules, importPath), path.join(contractsDir, importPath)];
  for (const candidate of candidates) {
    // Refuse paths that climb out of the two roots.
    const resolved = path.resolve(candidate);
    if (!resolved.startsWith(nodeModules + path.sep) && !resolved.startsWith(contractsDir + path.sep)) {
      continue;
    }
    if (fs.existsSync(resolved)) {
      return { contents: fs.readFileSync(resolved, 'utf8') };
    }
  }
  return { error: `import not found: ${importPath}` };
}

const result = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

const errors = (result.errors || []).filter((e) => e.severity === 'error');
const warnings = (result.errors || []).filter((e) => e.severity !== 'error');
if (errors.length > 0) {
  fail(`solc ${solc.version()} failed:\n${errors.map((e) => e.formattedMessage || e.message).join('\n')}`);
}
if (process.env.COMPILE_JS_VERBOSE && warnings.length > 0) {
  process.stderr.write(warnings.map((e) => e.formattedMessage || e.message).join('\n') + '\n');
}

// Only the contracts of contracts/*.sol, by name, sorted; a name defined twice is an error.
const artifacts = {};
for (const file of files) {
  const contracts = (result.contracts || {})[file] || {};
  for (const name of Object.keys(contracts).sort()) {
    if (artifacts[name]) {
      fail(`contract ${name} is defined twice`);
    }
    artifacts[name] = { abi: contracts[name].abi, bytecode: '0x' + contracts[name].evm.bytecode.object };
  }
}

const sorted = {};
for (const name of Object.keys(artifacts).sort()) {
  sorted[name] = artifacts[name];
}

// Write to a temporary file beside the output, then rename: readers never see half a file.
fs.mkdirSync(path.dirname(output), { recursive: true });
const temporary = `${output}.${process.pid}.tmp`;
fs.writeFileSync(temporary, JSON.stringify(sorted, null, 2) + '\n');
fs.renameSync(temporary, output);
