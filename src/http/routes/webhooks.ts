import type { FastifyInstance, FastifyReply } from 'fastify';
import { InputError } from '../../core/errors.js';
import type { SourceResult, WebhookSource } from '../../core/types.js';
import type { Intake, IntakeResult } from '../../intake/intake.js';
import { parseManualRequest } from '../../sources/manual.js';
import { parseRadarrWebhook } from '../../sources/radarr.js';
import { parseSonarrWebhook } from '../../sources/sonarr.js';
import { webhookSchema } from './webhook-schemas.js';

export interface WebhookRouteDeps {
  intake: Intake;
}

const PARSERS: Record<WebhookSource, (body: unknown) => SourceResult> = {
  radarr: parseRadarrWebhook,
  sonarr: parseSonarrWebhook,
  manual: parseManualRequest,
};

/** POST (or PUT, which Radarr/Sonarr also offer) /sync/radarr|sonarr|manual: one parse, one committed insert. */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  for (const sender of Object.keys(PARSERS) as WebhookSource[]) {
    app.route({
      method: sender === 'manual' ? 'POST' : ['POST', 'PUT'],
      url: `/sync/${sender}`,
      schema: webhookSchema(sender),
      handler: async (request, reply) => {
        if (request.body === undefined) throw new InputError('Empty body: send a JSON object', 400);
        if (request.log.level === 'debug' || request.log.level === 'trace')
          request.log.debug(`Payload from ${sender}: ${JSON.stringify(request.body)}`);
        return answer(reply, await deps.intake.accept(sender, PARSERS[sender](request.body)));
      },
    });
  }
}

// Radarr/Sonarr back off and then drop events after a 4xx, so only real rejections are 4xx.
function answer(reply: FastifyReply, result: IntakeResult) {
  switch (result.kind) {
    case 'queued':
      return reply.code(202).send({ status: 'queued', job_id: result.ids[0], job_ids: result.ids });
    case 'duplicate':
      return reply.code(200).send({ status: 'duplicate', job_id: result.ids[0], job_ids: result.ids });
    case 'test':
      return reply.code(200).send({ status: 'test successful' });
    case 'ignored':
      return reply.code(200).send({ status: 'ignored', reason: result.reason });
    case 'invalid':
      return reply.code(422).send({ error: result.problem, ...(result.field ? { field: result.field } : {}) });
    case 'refused':
      return reply.code(422).send({ error: result.problem });
  }
}
