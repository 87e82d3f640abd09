import { ApiProblem, devSignIn, token } from "./api.js";
import { sagaListView } from "./list-view.js";
import { outboxView } from "./outbox-view.js";
import { cancellationView, checkoutView } from "./saga-views.js";

// The shell: sign-in, hash routes (#/checkouts, #/checkouts/<id>, #/outbox …) and polling.
// The open view refreshes every POLL_MS in place: no full reload.

const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

/** The view a hash names: its render function, parameters and query. */
function route() {
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name = "checkouts", id] = path.split("/").map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (name === "outbox") return { name, view: outboxView, params };
  if (name === "cancellations") return { name, view: id ? cancellationView : sagaListView, id, params };
  return { name: "checkouts", view: id ? checkoutView : sagaListView, id, params };
}

let current = null;
let timer = null;

function showSignedIn(signedIn) {
  $("sign-in").hidden = signedIn;
  $("views").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("view").hidden = !signedIn;
}

/** Opens the view the hash names: builds it once, then refreshes it until the hash changes. */
async function open() {
  clearTimeout(timer);
  if (!token.get()) {
    showSignedIn(false);
    $("dev-user").focus();
    return;
  }
  showSignedIn(true);
  const r = route();
  for (const link of document.querySelectorAll("#views a")) {
    if (link.dataset.view === r.name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const root = $("view");
  const refresh = r.view(root, { kind: r.name, id: r.id, params: r.params, confirm, refreshNow: () => tick(session) });
  const session = { refresh };
  current = session;
  await tick(session);
  root.querySelector("h2")?.focus({ preventScroll: true });
}

async function tick(session) {
  clearTimeout(timer);
  try {
    await session.refresh();
    $("live").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    $("live").classList.remove("stale");
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 401 || error.status === 403)) {
      token.clear();
      $("sign-in-error").textContent = `Signed out: ${error.message}`;
      return open();
    }
    $("live").textContent = `Not updated: ${error.message}`;
    $("live").classList.add("stale");
  }
  if (session === current) timer = setTimeout(() => tick(session), POLL_MS);
}

/** A confirmation in a modal dialog: resolves true when the operator confirms. */
function confirm(title, text, action) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = action;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) =>
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }),
  );
}

$("dev-sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  try {
    await devSignIn($("dev-user").value.trim());
    await open();
  } catch (error) {
    const hint = error instanceof ApiProblem && error.status === 404 ? " (dev tokens are off here: paste a token)" : "";
    $("sign-in-error").textContent = `Could not sign in: ${error.message}${hint}`;
  }
});

$("token-sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  token.set(
    $("pasted-token")
      .value.trim()
      .replace(/^Bearer\s+/i, ""),
  );
  $("pasted-token").value = "";
  await open();
});

$("sign-out").addEventListener("click", () => {
  token.clear();
  open();
});

window.addEventListener("hashchange", open);
open();
