// The WebAuthn browser ceremony for Doorstep: enroll a passkey from an invitation, sign in.
//
// The server answers py_webauthn's options_to_json shape; the browser's own
// PublicKeyCredential.parseCreationOptionsFromJSON / parseRequestOptionsFromJSON / toJSON() are
// used where they exist, with a base64url fallback for older browsers. Every POST carries the
// CSRF token in the x-csrftoken header (from the csrf-token meta tag or the csrftoken cookie).
//
// Wiring is by event delegation, so it keeps working when hx-boost swaps the page body:
//   <button data-passkey-enroll="TOKEN">      registers a passkey for the invitation TOKEN
//   <button data-passkey-signin>               discoverable sign-in (no user name)
//   <form data-passkey-username>               fallback: sign in with the user name typed in it
// Status and error text goes to the element [data-passkey-status] of the same page, whose
// data-msg-* attributes carry the translated messages.

const b64urlToBytes = (value) => {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
};

const bytesToB64url = (buffer) => {
  let text = "";
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const cookie = (name) => {
  const pair = document.cookie.split("; ").find((row) => row.startsWith(name + "="));
  return pair ? decodeURIComponent(pair.slice(name.length + 1)) : "";
};

export const csrfToken = () =>
  document.querySelector('meta[name="csrf-token"]')?.content || cookie("csrftoken");

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-csrftoken": csrfToken() },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(answer.reason || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return answer;
}

function creationOptions(json) {
  if (window.PublicKeyCredential?.parseCreationOptionsFromJSON) {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: b64urlToBytes(json.challenge),
    user: { ...json.user, id: b64urlToBytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: b64urlToBytes(c.id) })),
  };
}

function requestOptions(json) {
  if (window.PublicKeyCredential?.parseRequestOptionsFromJSON) {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: b64urlToBytes(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: b64urlToBytes(c.id) })),
  };
}

function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") {
    try {
      return credential.toJSON();
    } catch (_) {
      // fall through: some browsers expose toJSON but fail on some authenticators
    }
  }
  const r = credential.response;
  const response = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = bytesToB64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = bytesToB64url(r.authenticatorData);
    response.signature = bytesToB64url(r.signature);
    if (r.userHandle) response.userHandle = bytesToB64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: bytesToB64url(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
  };
}

/** Register a passkey for an invitation token; resolves with the server's answer ({redirect}). */
export async function enroll(token) {
  const options = await postJSON("/auth/register/options", { token });
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  return postJSON("/auth/register/verify", credentialJSON(credential));
}

/** Sign in with a passkey; without a user name the browser offers the passkeys it holds. */
export async function signIn(username) {
  const options = await postJSON("/auth/login/options", username ? { username } : {});
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  return postJSON("/auth/login/verify", credentialJSON(credential));
}

const statusBox = () => document.querySelector("[data-passkey-status]");
const message = (name, fallback) => statusBox()?.dataset[name] || fallback;

function show(text, kind) {
  const box = statusBox();
  if (!box) return;
  box.textContent = text;
  box.className = `alert ${kind}`;
  box.hidden = false;
}

function explain(error) {
  if (error?.name === "NotAllowedError") return message("msgCancelled", error.message);
  if (error?.name === "InvalidStateError") return message("msgExists", error.message);
  return error?.message || String(error);
}

async function run(element, action) {
  if (!window.PublicKeyCredential) {
    show(message("msgUnsupported", "This browser does not support passkeys."), "error");
    return;
  }
  element.setAttribute("aria-busy", "true");
  element.disabled = true;
  try {
    const answer = await action();
    show(message("msgDone", "OK"), "ok");
    window.location.assign(answer.redirect || "/");
  } catch (error) {
    show(explain(error), "error");
  } finally {
    element.removeAttribute("aria-busy");
    element.disabled = false;
  }
}

document.addEventListener("click", (event) => {
  const enrollButton = event.target.closest("[data-passkey-enroll]");
  if (enrollButton) {
    event.preventDefault();
    run(enrollButton, () => enroll(enrollButton.dataset.passkeyEnroll));
    return;
  }
  const signInButton = event.target.closest("[data-passkey-signin]");
  if (signInButton) {
    event.preventDefault();
    run(signInButton, () => signIn());
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-passkey-username]");
  if (!form) return;
  event.preventDefault();
  event.stopPropagation();
  const username = new FormData(form).get("username")?.toString().trim();
  const button = form.querySelector("button") || form;
  run(button, () => signIn(username));
}, true);

// Tests (and curious people) can tell that the buttons are live.
document.documentElement.dataset.passkeys = "ready";
