// The read-only look at Telegram against a fake Bot API on 127.0.0.1: the exact requests (getMe,
// getChat), what each answer becomes, and that nothing is sent and the token never shows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { checkTelegram } from './telegram-check.js';

const TOKEN = '123456789:AAH-s3cret_Token-xyz';
const CHAT = '-1001234567890';
const ID = 'tgram://123456789/-1001234567890';

const BOT = { ok: true, result: { id: 123456789, is_bot: true, first_name: 'Sync', username: 'sync_webhook_bot' } };
const GROUP = { ok: true, result: { id: -1001234567890, type: 'supergroup', title: 'Media\n\u001b[31mNews' } };

let server: FakeServer;
beforeEach(async () => {
  server = await startFakeServer();
});
afterEach(() => server.close());

const check = (baseUrl = server.url) =>
  checkTelegram({ id: ID, baseUrl, token: TOKEN, chatId: CHAT, fetch: globalThis.fetch, timeoutMs: 2000 });

function answerWith(getMe: object, getChat: object, status = { getMe: 200, getChat: 200 }) {
  server.respondWith((req) =>
    req.path.endsWith('/getMe')
      ? { status: status.getMe, body: getMe }
      : req.path.endsWith('/getChat')
        ? { status: status.getChat, body: getChat }
        : { status: 404, body: { ok: false, description: 'Not Found' } },
  );
}

describe('checkTelegram', () => {
  it('asks getMe (GET, no body) and getChat (POST {"chat_id"}), and nothing else', async () => {
    answerWith(BOT, GROUP);
    const findings = await check(`${server.url}/`);

    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /bot${TOKEN}/getMe`,
      `POST /bot${TOKEN}/getChat`,
    ]);
    expect(server.requests[0]!.body).toBe('');
    expect(server.requests[1]!.headers['content-type']).toBe('application/json');
    expect(server.requests[1]!.json()).toEqual({ chat_id: CHAT });
    expect(findings).toEqual([
      // The title comes as Telegram has it; the report strips its controls (cli/style.ts printable).
      {
        level: 'ok',
        subject: ID,
        detail: 'bot @sync_webhook_bot, chat "Media\n\u001b[31mNews" (supergroup) (getMe, getChat)',
      },
    ]);
  });

  it('a refused token is a problem naming TELEGRAM_BOT_TOKEN; getChat is not asked', async () => {
    answerWith({ ok: false, error_code: 401, description: 'Unauthorized' }, GROUP, { getMe: 401, getChat: 200 });
    const findings = await check();
    expect(server.requests).toHaveLength(1);
    expect(findings).toEqual([
      {
        level: 'problem',
        subject: ID,
        detail: 'Telegram refused the bot token (HTTP 401: Unauthorized)',
        fix: 'check TELEGRAM_BOT_TOKEN: the token @BotFather gave the bot',
      },
    ]);
  });

  it('a chat the bot cannot see is a problem naming TELEGRAM_CHAT_ID', async () => {
    answerWith(
      BOT,
      { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
      {
        getMe: 200,
        getChat: 400,
      },
    );
    expect(await check()).toEqual([
      {
        level: 'problem',
        subject: ID,
        detail:
          `bot @sync_webhook_bot accepts its token, but cannot reach chat ${CHAT} ` +
          '(HTTP 400: Bad Request: chat not found)',
        fix: expect.stringMatching(/^check TELEGRAM_CHAT_ID, and that the bot is in that chat/),
      },
    ]);
  });

  it('an answer that is not the Bot API (a proxy page) is a problem, with its status', async () => {
    server.respondWith({ status: 502, body: '<html>Bad Gateway</html>' });
    const [finding] = await check();
    expect(finding).toMatchObject({
      level: 'problem',
      subject: ID,
      detail: 'getMe failed (HTTP 502: Bad Gateway)',
    });
  });

  it('an unreachable API is a problem naming the URL, never the token', async () => {
    await server.close();
    const findings = await check();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      level: 'problem',
      subject: ID,
      detail: expect.stringMatching(new RegExp(`^cannot reach ${server.url}: .*ECONNREFUSED`)),
      fix: 'check the network, and TELEGRAM_API_URL when it is set',
    });
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
  });

  it('a server that does not answer in time is a problem, not a hang', async () => {
    server.respondWith({ hang: true });
    const findings = await checkTelegram({
      id: ID,
      baseUrl: server.url,
      token: TOKEN,
      chatId: CHAT,
      fetch: globalThis.fetch,
      timeoutMs: 200,
    });
    expect(findings[0]).toMatchObject({ level: 'problem', detail: expect.stringMatching(/timed out after 0.2 s/) });
  });
});
