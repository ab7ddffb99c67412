import { useState } from 'preact/hooks';
import { api, type Folder } from '../api';
import { useLoad } from '../hooks';
import type { ActionsProps } from './actions';

/**
 * Sync a folder by hand: pick a mapping, walk its source folders (the server lists them and never
 * goes above the mapping's root), then queue the folder on screen as a manual sync.
 */
export function FolderBrowser({ mappings, run }: Pick<ActionsProps, 'mappings' | 'run'>) {
  const [mapping, setMapping] = useState('');
  const [path, setPath] = useState<string | null>(null);
  const [type, setType] = useState<'movie' | 'tv'>('movie');
  const folder = useLoad(
    (signal) => (mapping ? api.browse(mapping, path, signal) : Promise.resolve(undefined)),
    [mapping, path],
  );
  const shown: Folder | undefined = folder.data;
  const choose = (value: string) => {
    setMapping(value);
    setPath(null);
    setType(/tv|series|show/i.test(value) ? 'tv' : 'movie');
  };
  return (
    <fieldset class="browser">
      <legend>Sync a folder by hand</legend>
      <div class="browser-controls">
        <label>
          Mapping
          <select name="browse-mapping" value={mapping} onChange={(e) => choose(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {mappings.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select
            name="browse-type"
            value={type}
            onChange={(e) => setType(e.currentTarget.value === 'tv' ? 'tv' : 'movie')}
          >
            <option value="movie">Movie</option>
            <option value="tv">TV</option>
          </select>
        </label>
      </div>
      {folder.error && (
        <p class="error" role="alert">
          {folder.error.message}
        </p>
      )}
      {mapping && shown && (
        <div class="browser-listing">
          <p class="browser-path">
            <code>{shown.path}</code>
          </p>
          <div class="browser-buttons">
            <button type="button" disabled={shown.parent === null} onClick={() => setPath(shown.parent)}>
              ↑ Up
            </button>
            <button
              type="button"
              class="primary"
              disabled={shown.parent === null}
              onClick={() =>
                void run(
                  () => api.syncManual(shown.path, type),
                  (a) => (a.status === 'duplicate' ? `Already queued: ${shown.path}` : `Queued: ${shown.path}`),
                )
              }
            >
              Sync this folder
            </button>
          </div>
          <ul class="entries" aria-label={`Folders in ${shown.path}`}>
            {shown.entries.length === 0 && <li class="muted">Empty.</li>}
            {shown.entries.map((entry) =>
              entry.type === 'directory' ? (
                <li key={entry.name}>
                  <button type="button" class="link" onClick={() => setPath(entry.path)}>
                    📁 {entry.name}
                  </button>
                </li>
              ) : (
                <li key={entry.name} class="muted">
                  {entry.name}
                </li>
              ),
            )}
          </ul>
        </div>
      )}
    </fieldset>
  );
}
