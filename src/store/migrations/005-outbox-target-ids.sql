-- Notification targets and media servers became lists (SYNC_NOTIFY_URLS, the YAML notify: block): an
-- outbox row now names its target by id (tgram://123456789/-100…, plex://host:32400, or a given name)
-- and holds a typed payload {"type": …}. Which id today's single Telegram or Plex target gets depends on
-- the configuration, which SQL cannot see, so pending rows are parked under a legacy marker that the
-- dispatcher hands, at start, to the one configured tgram target or Plex server (or gives up when there
-- is none, or more than one). Their payloads keep what was rendered then, wrapped in the new shape.
-- Sent and dead rows are history and are never read again; they keep their old target and payload.
UPDATE outbox
SET target  = 'legacy:telegram',
    payload = json_object('type', 'telegram_html', 'message', json(payload))
WHERE status = 'pending' AND target = 'telegram';

UPDATE outbox
SET target  = 'legacy:plex',
    payload = json_object('type', 'plex_section_scan', 'scan', json(payload))
WHERE status = 'pending' AND target = 'plex';
