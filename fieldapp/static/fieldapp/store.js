// IndexedDB: the session (token), answers last read (per user), the queue of writes (per user).
const DB = "fieldapp";
let opened;

function db() {
  opened ||= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const d = req.result;
      d.createObjectStore("kv");
      const q = d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      q.createIndex("user", "user");
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

function run(store, mode, fn) {
  return db().then((d) => new Promise((resolve, reject) => {
    const tx = d.transaction(store, mode);
    const result = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  }));
}

export const kvGet = (key) => run("kv", "readonly", (s) => s.get(key));
export const kvSet = (key, value) => run("kv", "readwrite", (s) => { s.put(value, key); });
export const kvDelete = (key) => run("kv", "readwrite", (s) => { s.delete(key); });

export async function kvDeletePrefix(prefix) {
  return run("kv", "readwrite", (s) => {
    s.delete(IDBKeyRange.bound(prefix, prefix + "\uffff"));
  });
}

// the queue: items of one user, in the order they were made (seq)
export const queueAdd = (item) => run("queue", "readwrite", (s) => s.add(item));
export const queuePut = (item) => run("queue", "readwrite", (s) => { s.put(item); });
export const queueDelete = (seq) => run("queue", "readwrite", (s) => { s.delete(seq); });
export const queueOf = (user) => run("queue", "readonly", (s) => s.index("user").getAll(user))
  .then((items) => items.sort((a, b) => a.seq - b.seq));
