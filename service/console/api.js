// The client of vigil's HTTP JSON API: api(service, method, body) POSTs
// the request as proto3 JSON to /api/vigil.v1.<service>/<method> with the
// signed-in token and returns the answer, or throws an ApiError holding the
// gRPC code name the server answered ('network' when it cannot be reached).
// describeError() words such an error for the analyst.
import {STRINGS, t} from './i18n.js';
import {state} from './state.js';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export async function api(service, method, body, token = state.token) {
  const headers = {'Content-Type': 'application/json'};
  if (token) headers.Authorization = 'Bearer ' + token;
  let response;
  try {
    response = await fetch(
        `/api/vigil.v1.${service}/${method}`,
        {method: 'POST', headers, body: JSON.stringify(body || {})});
  } catch (e) {
    throw new ApiError('network', t('err_network'), 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(
        data?.code || 'UNKNOWN', data?.message || response.statusText,
        response.status);
  }
  return data;
}

export function describeError(e) {
  const label = STRINGS[state.lang]['err_' + e.code];
  return label ? `${label} (${e.code}): ${e.message}` :
                 `${e.code || ''} ${e.message}`.trim();
}
