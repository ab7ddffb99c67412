import Database from 'better-sqlite3';
const [,, path, mode] = process.argv;
const db = new Database(path);
if (mode === 'exclusive-mode') { db.pragma('locking_mode = EXCLUSIVE'); }
db.exec('BEGIN EXCLUSIVE');
db.prepare('SELECT 1').get();
if (mode === 'exclusive-mode') db.exec("CREATE TABLE IF NOT EXISTS x(a)");
console.log('locked');
setInterval(()=>{}, 1000);
