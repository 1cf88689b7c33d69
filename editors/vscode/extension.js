// Starts `playbook lsp` for .playbook files. The program is the setting `playbook.path`
// (default: `playbook` on the PATH); a change of it restarts the server. The setting
// `playbook.sampleExport` goes to the server at the start and whenever it changes. The
// command "Playbook: Explain a customer of the sample export" shows `playbook explain` beside.
const path = require("path");
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

/// The sample export, resolved from the first workspace folder when relative.
function sampleExport() {
  const value = vscode.workspace.getConfiguration("playbook").get("sampleExport") || "";
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return value && folder && !path.isAbsolute(value) ? path.join(folder, value) : value;
}

function start() {
  const command = vscode.workspace.getConfiguration("playbook").get("path") || "playbook";
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const server = { command, args: ["lsp"], options: folder ? { cwd: folder } : {} };
  client = new LanguageClient(
    "playbook",
    "Playbook",
    { run: server, debug: server },
    {
      documentSelector: [{ language: "playbook" }],
      initializationOptions: { sampleExport: sampleExport() },
    }
  );
  return client.start();
}

/// Asks for a customer id, and shows `playbook explain`'s text for that customer of the sample
/// export beside the playbook.
async function explain() {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== "playbook") {
    return;
  }
  const customer = await vscode.window.showInputBox({ prompt: "The customer's id (key column)" });
  if (!customer) {
    return;
  }
  try {
    const text = await client.sendRequest("workspace/executeCommand", {
      command: "playbook.server.explain",
      arguments: [editor.document.uri.toString(), customer],
    });
    const doc = await vscode.workspace.openTextDocument({ content: text, language: "plaintext" });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  } catch (e) {
    vscode.window.showWarningMessage(`playbook explain: ${e.message || e}`);
  }
}

async function activate(context) {
  context.subscriptions.push(vscode.commands.registerCommand("playbook.explain", explain));
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("playbook.path")) {
        await deactivate();
        await start();
      } else if (event.affectsConfiguration("playbook.sampleExport") && client) {
        await client.sendNotification("workspace/didChangeConfiguration", {
          settings: { playbook: { sampleExport: sampleExport() } },
        });
      }
    })
  );
  await start();
}

async function deactivate() {
  if (client) {
    const stopping = client;
    client = undefined;
    await stopping.stop();
  }
}

module.exports = { activate, deactivate };
