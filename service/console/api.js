// The client of vigil's HTTP JSON API: api(service, method, body) POSTs
// the request as proto3 JSON to /api/vigil.v1.<service>/<method> with the
// signed-in token and returns the answer, or throws an ApiError holding the
// gRPC code name the server answered ('network' when it cannot be reached).
// describeError() words such an error for the analyst. apiStream() calls a
// method that streams its answers (one JSON message per line).
import {STRINGS, t} from './i18n.js';
import {state} from './state.js';

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// POSTs `body` to the method; the response, or an ApiError when the server
// cannot be reached (CANCELLED when `signal` aborted the call).
async function post(service, method, body, token, signal) {
  const headers = {'Content-Type': 'application/json'};
  if (token) headers.Authorization = 'Bearer ' + token;
  try {
    return await fetch(
        `/api/vigil.v1.${service}/${method}`,
        {method: 'POST', headers, body: JSON.stringify(body || {}), signal});
  } catch (e) {
    if (signal?.aborted) throw new ApiError('CANCELLED', e.message, 0);
    throw new ApiError('network', t('err_network'), 0);
  }
}

// The response's JSON body, or null when it has none.
async function jsonOf(response) {
  try {
    return await response.json();
  } catch (e) {
    return null;
  }
}

// The error a refused call's JSON body ({code, message}) names.
function refusal(response, data) {
  return new ApiError(
      data?.code || 'UNKNOWN', data?.message || response.statusText,
      response.status);
}

export async function api(service, method, body, token = state.token) {
  const response = await post(service, method, body, token);
  const data = await jsonOf(response);
  if (!response.ok) throw refusal(response, data);
  return data;
}

// Calls a server-streaming method: onMessage(message) runs for each message
// as it arrives; resolves when the stream ends, throws an ApiError when the
// call is refused or fails (also after some messages). Abort `signal` to
// cancel the call on the server too.
export async function apiStream(
    service, method, body, onMessage, signal, token = state.token) {
  const response = await post(service, method, body, token, signal);
  if (!response.ok) throw refusal(response, await jsonOf(response));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  const take = (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line);
    // A failure after the stream started: the last line is the error.
    if (message.code && message.message !== undefined) {
      throw new ApiError(message.code, message.message, 200);
    }
    onMessage(message);
  };
  try {
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      pending += decoder.decode(value, {stream: true});
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        take(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (signal?.aborted) throw new ApiError('CANCELLED', e.message, 0);
    throw new ApiError('network', t('err_network'), 0);
  }
  take(pending);
}

export function describeError(e) {
  const label = STRINGS[state.lang]['err_' + e.code];
  return label ? `${label} (${e.code}): ${e.message}` :
                 `${e.code || ''} ${e.message}`.trim();
}
