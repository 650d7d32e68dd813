// Reads a published cchc warehouse with DuckDB's Node.js client
// (@duckdb/node-api), a client that shares no code with duckdb-go, as a BI
// tool or an analyst's notebook would. nodeclient_test.go runs it.
//
//   node read_warehouse.mjs NODE_MODULES_DIR SPEC_JSON
//
// SPEC_JSON: {"warehouse": FILE, "counts": [RELATION…],
//             "temporal": [{"relation": R, "column": C}…]}
// It prints one JSON document: the library version, the tables and views,
// the row count of each relation of "counts", for each temporal column the
// type the client reports and the JS type and ISO text of its smallest value,
// and whether a write was refused.
import { createRequire } from 'node:module';
import path from 'node:path';

const [nodeModules, specText] = process.argv.slice(2);
const spec = JSON.parse(specText);
// The package is CommonJS; resolve it from the given node_modules folder.
const require = createRequire(path.join(path.dirname(path.resolve(nodeModules)), 'resolve-from-here.js'));
const { DuckDBInstance } = require('@duckdb/node-api');

const ident = (name) => name.split('.').map((p) => '"' + p.replaceAll('"', '""') + '"').join('.');

const instance = await DuckDBInstance.create(spec.warehouse, { access_mode: 'READ_ONLY' });
const conn = await instance.connect();
const out = { relations: [], counts: {}, temporal: [] };

out.version = (await conn.runAndReadAll('SELECT version()')).getRows()[0][0];
const rel = await conn.runAndReadAll(`
  SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal
  UNION ALL
  SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
  ORDER BY 1`);
out.relations = rel.getRows().map((r) => r[0]);

for (const name of spec.counts) {
  const r = await conn.runAndReadAll(`SELECT count(*) FROM ${ident(name)}`);
  out.counts[name] = Number(r.getRows()[0][0]);
}

for (const t of spec.temporal) {
  const col = ident(t.column);
  const r = await conn.runAndReadAll(
    `SELECT ${col} FROM ${ident(t.relation)} WHERE ${col} IS NOT NULL ORDER BY ${col} LIMIT 1`);
  const v = r.getRowsJS()[0]?.[0];
  out.temporal.push({
    relation: t.relation,
    column: t.column,
    type: r.columnTypes()[0].toString(),
    jsType: v instanceof Date ? 'Date' : typeof v,
    iso: v instanceof Date ? v.toISOString() : String(v),
  });
}

try {
  await conn.run('CREATE TABLE main.node_client_probe (x INTEGER)');
  out.writeRefused = false;
} catch (e) {
  out.writeRefused = true;
  out.writeError = String(e.message ?? e).split('\n')[0];
}

conn.closeSync?.();
console.log(JSON.stringify(out));
