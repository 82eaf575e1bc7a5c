#!/usr/bin/env node
// Validates the Strimzi and CloudNativePG resources of rendered Kubernetes manifests
// (multi-document YAML, e.g. `kubectl kustomize deploy/k8s/overlays/prod`) against the models
// @kubernetes-models generates from the operators' CRD OpenAPI schemas (compiled ajv
// validators), all pinned in package-lock.json:
//
//   @kubernetes-models/strimzi-kafka-operator  kafka.strimzi.io/v1beta2 (Strimzi 0.49.0's CRDs)
//                                              and kafka.strimzi.io/v1 (Strimzi 1.0.0's)
//   @kubernetes-models/cloudnative-pg          postgresql.cnpg.io/v1 (CloudNativePG's Go API types)
//
//   npm ci --prefix tools/k8s-crds          (deploy/k8s/tools.sh does it)
//   node tools/k8s-crds/validate.mjs FILE.yaml...
//
// Every resource of the API groups kafka.strimzi.io, core.strimzi.io and postgresql.cnpg.io
// is validated with the model of its apiVersion and kind; one the packages have no model for
// (an apiVersion or kind not listed above) is a failure, never skipped. Other resources are
// left to kubeconform. Each failure is printed as
//   FILE: KIND/NAME (APIVERSION): /json/path: message
// Exit status: 0 when every such resource is valid, 1 otherwise (or a file that does not read
// or parse), 2 on bad usage.
//
// Limits (deploy/k8s/README.md): the schemas hold types, required fields, enums, minimums and
// patterns, but do not refuse unknown fields (a misspelt optional field passes), and null
// passes where a field is optional.
import { readFile } from 'node:fs/promises';

import { parseAllDocuments } from 'yaml';
import * as strimziV1beta2 from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2';
import * as strimziV1 from '@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1';
import * as cnpgV1 from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1';

// The API groups this tool answers for: a resource in one of them is validated or refused.
const GROUPS = new Set(['kafka.strimzi.io', 'core.strimzi.io', 'postgresql.cnpg.io']);

// "apiVersion kind" -> model class, from each module's exported models.
const MODELS = new Map();
for (const module of [strimziV1beta2, strimziV1, cnpgV1]) {
  for (const value of Object.values(module)) {
    if (typeof value === 'function' && value.apiVersion && value.kind) {
      MODELS.set(`${value.apiVersion} ${value.kind}`, value);
    }
  }
}

const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
  console.error('usage: node tools/k8s-crds/validate.mjs FILE.yaml...');
  process.exit(2);
}

function where(error) {
  let path = error.instancePath || '/';
  if (error.keyword === 'required') path = `${error.instancePath}/${error.params.missingProperty}`;
  if (error.keyword === 'additionalProperties') {
    path = `${error.instancePath}/${error.params.additionalProperty}`;
  }
  return path;
}

function explain(error) {
  const allowed = error.params?.allowedValues;
  return allowed ? `${error.message}: ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : error.message;
}

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
  const counts = new Map();
  let invalid = 0;
  // YAML 1.1, as Kubernetes reads manifests (sigs.k8s.io/yaml): `yes`, `on` are booleans.
  for (const [index, document] of parseAllDocuments(text, { version: '1.1' }).entries()) {
    if (document.errors.length > 0) {
      for (const e of document.errors) console.log(`${file}: document ${index + 1}: YAML: ${e.message.split('\n')[0]}`);
      invalid += 1;
      continue;
    }
    const resource = document.toJS();
    if (resource === null || typeof resource !== 'object') continue;
    const apiVersion = String(resource.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (!GROUPS.has(group)) continue;
    const kind = resource.kind;
    const label = `${kind}/${resource.metadata?.name ?? '?'} (${apiVersion})`;
    const Model = MODELS.get(`${apiVersion} ${kind}`);
    if (Model === undefined) {
      console.log(`${file}: ${label}: no model for ${apiVersion} ${kind} (tools/k8s-crds)`);
      invalid += 1;
      continue;
    }
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    try {
      new Model(resource).validate();
    } catch (error) {
      if (!Array.isArray(error.errors)) throw error;
      for (const e of error.errors) console.log(`${file}: ${label}: ${where(e)}: ${explain(e)}`);
      invalid += 1;
    }
  }
  const summary = [...counts].map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
  if (invalid > 0) {
    console.log(`${file}: INVALID (${invalid} resource(s) refused; validated: ${summary})`);
    failed = true;
  } else {
    console.log(`${file}: ok (validated: ${summary})`);
  }
}
process.exit(failed ? 1 : 0);
