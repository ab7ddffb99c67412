import { useState } from 'preact/hooks';
import { api } from '../api';
import { useLoad } from '../hooks';
import type { ActionsProps } from './actions';

/**
 * Sync a folder by hand: pick a mapping, walk the folders of its source (the server lists them in a
 * child process with the mount timeout, and refuses any path above the mapping's root or through a
 * link leading out of it), then queue the folder on screen as a manual sync.
 */
export function FolderBrowser({ mappings, run }: Pick<ActionsProps, 'mappings' | 'run'>) {
  const [mapping, setMapping] = useState('');
  // Relative to the mapping's source root: '' is the root itself.
  const [path, setPath] = useState('');
  const [type, setType] = useState<'movie' | 'tv'>('movie');
  const listing = useLoad(
    (signal) => (mapping ? api.folders(mapping, path, signal) : Promise.resolve(undefined)),
    [mapping, path],
  );
  // Only the answer for the folder on screen: a list of the previous folder is never shown under this one's name.
  const shown = listing.data?.mapping === mapping && listing.data.path === path ? listing.data : undefined;
  const choose = (value: string) => {
    setMapping(value);
    setPath('');
    setType(/tv|series|show/i.test(value) ? 'tv' : 'movie');
  };
  const containerPath = path ? `${mapping}/${path}` : mapping;
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
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
      {mapping && (
        <div class="browser-listing">
          <p class="browser-path">
            <code data-field="browse-path">{containerPath}</code>
          </p>
          <div class="browser-buttons">
            <button type="button" disabled={path === ''} onClick={() => setPath(parent)}>
              ↑ Up
            </button>
            <button
              type="button"
              class="primary"
              disabled={path === ''}
              onClick={() =>
                void run(
                  () => api.syncManual(containerPath, type),
                  (a) =>
                    a.status === 'duplicate'
                      ? `Already queued: ${containerPath} (job ${a.job_id})`
                      : `Queued: ${containerPath} (job ${a.job_id})`,
                )
              }
            >
              Sync this folder
            </button>
          </div>
          {listing.error && (
            <p class="error" role="alert">
              {listing.error.message}
            </p>
          )}
          {shown && (
            <ul class="entries" aria-label={`Folders in ${containerPath}`} aria-busy={listing.loading}>
              {shown.folders.length === 0 && <li class="muted">No folders here.</li>}
              {shown.folders.map((folder) => (
                <li key={folder.path}>
                  <button type="button" class="link" onClick={() => setPath(folder.path)}>
                    {folder.name}/
                  </button>
                </li>
              ))}
              {shown.truncated && <li class="muted">More folders than shown: open one above or sync this one.</li>}
            </ul>
          )}
        </div>
      )}
    </fieldset>
  );
}
