// Why the title search index is not written with the job (issue 12): the cost per job row of an
// insert into a table shaped like `jobs`, alone, with the jobs_filters index, and with an FTS5 trigram
// index written by a trigger (as the webhook's transaction would have to), for transactions of 1 and 8
// jobs (a burst's group commit holds a few). No service: the store's own work, in one process.
//
//   node bench/title-index-cost.mjs [--rows=20000]
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { num, option, printHeader, runMain, tempDir } from './lib/common.mjs';

const ROWS = Number(option('rows', 20_000));

const VARIANTS = [
  ['jobs row only', () => {}],
  ['+ jobs_filters index', (db) => db.exec('CREATE INDEX f ON jobs (status, source, mapping, id)')],
  [
    '+ FTS5 trigram index by trigger',
    (db) => {
      db.exec(`CREATE VIRTUAL TABLE t USING fts5 (title, tokenize = 'trigram remove_diacritics 1', content = '',
        contentless_delete = 1)`);
      db.exec(
        'CREATE TRIGGER ti AFTER INSERT ON jobs BEGIN INSERT INTO t (rowid, title) VALUES (NEW.id, NEW.title); END',
      );
    },
  ],
];

function microsPerRow(dir, name, setup, batch) {
  const db = new Database(join(dir, `${name.replace(/\W+/g, '-')}-${batch}.db`));
  db.pragma('journal_mode = WAL');
  // As the webhook's commit runs (store/wal-sync.ts): the fsync is not in it.
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE jobs (id INTEGER PRIMARY KEY, status TEXT, source TEXT, mapping TEXT, title TEXT,
    details TEXT)`);
  db.exec('CREATE INDEX s ON jobs (status, id)');
  setup(db);
  const insert = db.prepare('INSERT INTO jobs (status, source, mapping, title, details) VALUES (?, ?, ?, ?, ?)');
  const commit = db.transaction((k) => {
    for (let j = 0; j < batch; j++) {
      const title = `Show ${k % 5000} (2020) - S0${1 + (k % 9)}E0${1 + j}: Episode title number ${k}`;
      insert.run('queued', 'sonarr', '/tv', title, 'x'.repeat(400));
    }
  });
  for (let k = 0; k < 2000; k++) commit(k);
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < ROWS / batch; k++) commit(k);
  const micros = Number(process.hrtime.bigint() - t0) / 1000 / ROWS;
  db.close();
  return micros;
}

async function main() {
  printHeader('title index cost per job insert');
  const dir = tempDir('title-index-cost');
  console.log(`== ${ROWS.toLocaleString('en')} rows per variant, after 2,000 transactions to warm up\n`);
  console.log('variant                                  µs/row, 1 a transaction  µs/row, 8 a transaction');
  for (const [name, setup] of VARIANTS) {
    const one = microsPerRow(dir, name, setup, 1);
    const eight = microsPerRow(dir, name, setup, 8);
    console.log(`${name.padEnd(40)} ${num(one, 1).padStart(24)} ${num(eight, 1).padStart(24)}`);
  }
}

if (process.argv[1]?.endsWith('title-index-cost.mjs')) runMain(main);
