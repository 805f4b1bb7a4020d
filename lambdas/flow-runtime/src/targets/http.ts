import type { HttpTargetDefinition } from '../document/config.js';
import { isPlainObject } from '../document/json.js';
import type { HttpResponse } from './http-client.js';
import { joinUrl } from './url-path.js';
import { createRemoteTarget, type RemoteTargetOptions } from './remote-target.js';
import type { RecordRequest, Target, TargetResult } from './target.js';

/**
 * A generic JSON REST target (docs/targets.md). For an entity whose path is `P` (`paths[entity]`,
 * default `/{entity}`): create = `POST P`, update = `PATCH P/{id}`, upsert = `PUT P/{id}` with the
 * `id_property` value as id, delete = `DELETE P/{id}` (404 = already gone). Ids and entities are
 * encoded so that each stays one path segment, whatever it holds (`..`, `/`, `?`, `#`, `%`).
 *
 * Headers: the definition's static `headers` are sent as given, except that the worker always sets
 * `Content-Type`/`Accept` (JSON) and `User-Agent`, and, when `secret` is set, `Authorization:
 * Bearer <token>` — a static header cannot replace the token read from Secrets Manager. A create
 * (`POST`, the one call that is not idempotent) also carries `Idempotency-Key`, derived from
 * (event id, flow, step): the same on every delivery of the event.
 *
 * `id_property` on update/delete does not change the URL: the resolved id is always the path id.
 */
export function createHttpTarget(definition: HttpTargetDefinition, options: RemoteTargetOptions): Target {
  return createRemoteTarget(definition, options, {}, ({ call, required, segment, upsertKey }) => {
    const { paths } = definition;
    // Own keys only: an entity named `constructor` must not pick up Object.prototype.constructor.
    const collectionUrl = (request: RecordRequest) =>
      joinUrl(
        definition.base_url,
        paths !== undefined && Object.hasOwn(paths, request.entity)
          ? (paths[request.entity] ?? '')
          : `/${segment(request, 'the entity', request.entity)}`,
      );
    const recordUrl = (request: RecordRequest, id: string) =>
      `${collectionUrl(request)}/${segment(request, 'the record id', id)}`;

    return {
      async upsert(request: RecordRequest): Promise<TargetResult> {
        const { id } = upsertKey(request);
        const response = await call(request, {
          method: 'PUT',
          url: recordUrl(request, id),
          body: request.data ?? {},
        });
        return { id: responseId(response) ?? id, created: response.status === 201 };
      },
      async create(request: RecordRequest): Promise<TargetResult> {
        const response = await call(request, {
          method: 'POST',
          url: collectionUrl(request),
          body: request.data ?? {},
          ...(request.idempotencyKey === undefined
            ? {}
            : { headers: { [IDEMPOTENCY_KEY_HEADER]: request.idempotencyKey } }),
        });
        const id = responseId(response);
        return id === undefined ? {} : { id };
      },
      async update(request: RecordRequest): Promise<TargetResult> {
        const id = required(request, 'an id', request.id);
        const response = await call(request, {
          method: 'PATCH',
          url: recordUrl(request, id),
          body: request.data ?? {},
        });
        return { id: responseId(response) ?? id };
      },
      async delete(request: RecordRequest): Promise<TargetResult> {
        const id = required(request, 'an id', request.id);
        const response = await call(request, {
          method: 'DELETE',
          url: recordUrl(request, id),
          acceptStatuses: [404],
        });
        return { id, deleted: response.status !== 404 };
      },
    };
  });
}

/** The header that carries a create's idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A response body's `id` (string or number), if it has one. */
function responseId(response: HttpResponse): string | undefined {
  const id = isPlainObject(response.body) ? response.body.id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}
