import { isPlainObject } from '../../document/json.js';
import { PermanentError } from '../../errors.js';
import type { HttpResponse } from '../http-client.js';
import type { RemoteCall, RemoteTargetKit } from '../remote-target.js';
import type { RecordRequest, TargetResult } from '../target.js';
import { withIdProperty } from './objects.js';

/**
 * `delete`: archive (`DELETE /crm/v3/objects/{type}/{id}`), a missing record counting as already
 * deleted. Archive takes only HubSpot's record id, so a delete by a unique property looks the
 * record up first (`GET …/{value}?idProperty=`).
 */
export async function archiveRecord(
  kit: RemoteTargetKit,
  request: RecordRequest,
  objectUrl: (id: string) => string,
  call: (http: RemoteCall) => Promise<HttpResponse>,
): Promise<TargetResult> {
  const given = kit.required(request, 'an id', request.id);
  let id = given;
  if (request.idProperty !== undefined && request.idProperty !== '') {
    const found = await call({
      method: 'GET',
      url: withIdProperty(objectUrl(given), request.idProperty),
      acceptStatuses: [404],
    });
    if (found.status === 404) return { id: given, deleted: false };
    const foundId = isPlainObject(found.body) ? found.body.id : undefined;
    if (typeof foundId !== 'string' && typeof foundId !== 'number') {
      throw new PermanentError(
        `${kit.label}: ${request.action} ${request.entity} got an unexpected response: no "id" in the body`,
        { context: { operation: `${request.action} ${request.entity}` } },
      );
    }
    id = String(foundId);
  }
  const response = await call({ method: 'DELETE', url: objectUrl(id), acceptStatuses: [404] });
  return { id, deleted: response.status !== 404 };
}
