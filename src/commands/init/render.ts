import type { Ui } from "../../ui/ui.js";
import type { InitReport } from "./result.js";

/** What init saved and what to do next; or why it saved nothing. */
export function renderInit(d: InitReport, ui: Ui): void {
  const t = ui.theme;
  if (!d.saved) {
    ui.out(`${t.fail} not saved${d.check ? `: ${d.check.message}` : ""}`);
    ui.out("  Fix the settings and run mailctl init again, or pass --no-check to save without checking.");
    return;
  }
  const notes = [d.store === "file" ? "mode 0600" : "", d.madeDefault ? "the default profile" : ""].filter(Boolean);
  ui.out(`${t.ok} ${d.replaced ? "Replaced" : "Saved"} profile "${d.profile}" in ${d.configFile}${notes.length ? ` (${notes.join("; ")})` : ""}`);
  if (d.oauthEnv) {
    const names = [d.oauthEnv.token && `the access token from ${d.oauthEnv.token}`, d.oauthEnv.refreshToken && `the refresh token from ${d.oauthEnv.refreshToken}`, d.oauthEnv.clientSecret && `the client secret from ${d.oauthEnv.clientSecret}`].filter(Boolean);
    ui.out(`  mailctl reads ${names.join(" and ")}: export ${names.length > 1 ? "them" : "it"} in the shell or service that runs mailctl`);
  } else if (d.store === "env") ui.out(`  mailctl reads the password from ${d.passwordEnv}: export it in the shell or service that runs mailctl`);
  ui.out(`  next: mailctl config show --profile ${d.profile}`);
}
