// An HTTP stack for tus-js-client made with fetch, for the service worker: the client's own stack
// uses XMLHttpRequest, which a service worker does not have. Fetch reports no upload progress, so
// a chunk counts as sent once the server has answered it; pages keep the client's own stack, and
// its finer progress bars.
export class FetchHttpStack {
  createRequest(method, url) {
    return new FetchRequest(method, url);
  }

  getName() {
    return "FetchHttpStack";
  }
}

class FetchRequest {
  constructor(method, url) {
    this.method = method;
    this.url = url;
    this.headers = {};
    this.progressHandler = () => {};
    this.controller = new AbortController();
  }

  getMethod() { return this.method; }
  getURL() { return this.url; }
  setHeader(name, value) { this.headers[name] = value; }
  getHeader(name) { return this.headers[name]; }
  setProgressHandler(handler) { this.progressHandler = handler; }
  getUnderlyingObject() { return this.controller; }

  async send(body = null) {
    const response = await fetch(this.url, { method: this.method, headers: this.headers, body, credentials: "same-origin", signal: this.controller.signal });
    const text = await response.text();
    if (body) this.progressHandler(body.size ?? body.byteLength ?? 0);
    return new FetchResponse(response, text);
  }

  abort() {
    this.controller.abort();
    return Promise.resolve();
  }
}

class FetchResponse {
  constructor(response, body) {
    this.response = response;
    this.body = body;
  }

  getStatus() { return this.response.status; }
  getHeader(name) { return this.response.headers.get(name) ?? undefined; }
  getBody() { return this.body; }
  getUnderlyingObject() { return this.response; }
}
