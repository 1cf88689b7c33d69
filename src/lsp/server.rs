//! The main loop: messages in, answers and diagnostics out, one at a time (no async runtime).
//! Diagnostics are published once the queue of incoming messages is empty, so a burst of
//! typing is checked once, for its last version.

use super::analysis::{self, Analysis};
use super::document::Document;
use super::lens::{self, Done, Job};
use super::{actions, completion, diagnostics, hover, navigate};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

/// One open document and what is known about its current text.
struct Open {
    doc: Document,
    analysis: Option<Analysis>,
    /// Its diagnostics have not been sent for this version.
    unpublished: bool,
    /// The counts over the sample export, of the text as last opened or saved.
    lenses: Vec<analysis::Lens>,
}

impl Open {
    fn analysis(&mut self, export: Option<&Path>) -> &Analysis {
        self.analysis
            .get_or_insert_with(|| Analysis::new(&self.doc.text, export))
    }
}

pub struct Server<'c> {
    connection: &'c Connection,
    open: HashMap<String, Open>,
    shut_down: bool,
    /// The sample export (setting `sampleExport`): `check --data`'s diagnostics are shown.
    export: Option<PathBuf>,
    /// The last complaint about the sample export shown, so that it is not repeated per edit.
    export_error: Option<String>,
    /// Texts to count over the sample export, and their counts (`lens`).
    counting: Sender<Job>,
    counted: Receiver<Done>,
    /// The editor can be asked to fetch the code lenses again (`workspace/codeLens/refresh`).
    refresh: bool,
    /// Requests sent to the editor, for their ids.
    asked: i32,
}

/// The sample export named in settings (`{"sampleExport": "PATH"}`); none when empty.
fn sample_export(settings: Option<&Value>) -> Option<PathBuf> {
    let path = settings?.get("sampleExport")?.as_str()?;
    (!path.trim().is_empty()).then(|| PathBuf::from(path))
}

/// The server's copy of a document's text (as rust-analyzer's `viewFileText`): for tests and
/// bug reports, to see that incremental changes left it equal to the editor's.
const VIEW_FILE_TEXT: &str = "playbook/viewFileText";

/// The command that explains one customer of the sample export (`playbook explain`).
const EXPLAIN: &str = "playbook.server.explain";

/// What the server can do, for `initialize`.
pub fn capabilities() -> Value {
    serde_json::json!({
        "positionEncoding": "utf-16",
        "textDocumentSync": { "openClose": true, "change": 2, "save": {} },
        "hoverProvider": true,
        "completionProvider": { "triggerCharacters": ["[", ","] },
        "definitionProvider": true,
        "referencesProvider": true,
        "renameProvider": { "prepareProvider": true },
        "documentSymbolProvider": true,
        "foldingRangeProvider": true,
        "documentFormattingProvider": true,
        "codeActionProvider": { "codeActionKinds": ["quickfix"] },
        "codeLensProvider": {},
        "executeCommandProvider": { "commands": [EXPLAIN] },
    })
}

impl<'c> Server<'c> {
    /// A server for a client that sent these `initialize` parameters.
    pub fn new(connection: &'c Connection, init: &Value) -> Server<'c> {
        let (counting, counted) = lens::worker();
        Server {
            connection,
            open: HashMap::new(),
            shut_down: false,
            export: sample_export(init.get("initializationOptions")),
            export_error: None,
            counting,
            counted,
            refresh: init
                .pointer("/capabilities/workspace/codeLens/refreshSupport")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            asked: 0,
        }
    }

    /// Runs until `exit`, or until the client goes away. `Ok(true)` when it asked for
    /// `shutdown` first, as the protocol wants (the exit code says so).
    pub fn run(&mut self) -> Result<bool, String> {
        loop {
            // Woken now and then to collect counts from the worker.
            match self
                .connection
                .receiver
                .recv_timeout(Duration::from_millis(100))
            {
                Ok(Message::Request(request)) => {
                    let response = self.answer(request);
                    self.send(response.into())?;
                }
                Ok(Message::Notification(n)) if n.method == note::Exit::METHOD => {
                    return Ok(self.shut_down)
                }
                Ok(Message::Notification(n)) => self.notified(n),
                Ok(Message::Response(_)) => {}
                Err(e) if e.is_disconnected() => return Ok(self.shut_down),
                Err(_) => {}
            }
            self.collect_counts()?;
            if self.connection.receiver.is_empty() {
                self.publish()?;
            }
        }
    }

    /// `playbook.server.explain URI ID`: `playbook explain`'s text for a customer of the sample
    /// export, against the document's current text.
    fn execute(&self, params: &Value) -> Result<Value, (ErrorCode, String)> {
        let command = params.get("command").and_then(Value::as_str).unwrap_or("");
        if command != EXPLAIN {
            let message = format!("playbook lsp has no command `{command}`");
            return Err((ErrorCode::InvalidParams, message));
        }
        let argument = |k: usize| match params.pointer(&format!("/arguments/{k}")) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let (Some(uri), Some(customer)) = (argument(0), argument(1)) else {
            let message = format!("{EXPLAIN} takes a document and a customer id");
            return Err((ErrorCode::InvalidParams, message));
        };
        let Some(export) = self.export.as_deref() else {
            let message = "name a sample export (setting sampleExport) to explain its customers";
            return Err((ErrorCode::RequestFailed, message.to_string()));
        };
        let Some(open) = self.open.get(&uri) else {
            return Err((ErrorCode::InvalidParams, format!("{uri} is not open")));
        };
        analysis::explain(&open.doc.text, export, &customer)
            .map(Value::String)
            .map_err(|e| (ErrorCode::RequestFailed, e))
    }

    /// Asks the worker to count a document's text over the sample export, if it has no errors.
    fn count(&mut self, uri: &str) {
        let (Some(export), Some(open)) = (self.export.clone(), self.open.get_mut(uri)) else {
            return;
        };
        if open
            .analysis(Some(&export))
            .findings
            .iter()
            .any(|f| f.error)
        {
            open.lenses.clear();
            return;
        }
        let job = Job {
            uri: uri.to_string(),
            text: open.doc.text.clone(),
            export,
        };
        let _ = self.counting.send(job);
    }

    /// Keeps the counts the worker finished, and asks the editor to show them.
    fn collect_counts(&mut self) -> Result<(), String> {
        let mut any = false;
        while let Ok(done) = self.counted.try_recv() {
            let Some(open) = self.open.get_mut(&done.uri) else {
                continue;
            };
            match done.counts {
                Ok(lenses) => open.lenses = lenses,
                Err(e) => {
                    open.lenses.clear();
                    let message = format!("playbook: counting over the sample export: {e}");
                    let params = serde_json::json!({ "type": 2, "message": message });
                    self.send(Notification::new(note::ShowMessage::METHOD.into(), params).into())?;
                }
            }
            any = true;
        }
        if any && self.refresh {
            self.asked += 1;
            let request = Request::new(
                RequestId::from(self.asked),
                req::CodeLensRefresh::METHOD.to_string(),
                Value::Null,
            );
            self.send(request.into())?;
        }
        Ok(())
    }

    fn send(&self, message: Message) -> Result<(), String> {
        self.connection
            .sender
            .send(message)
            .map_err(|_| "the editor closed the connection".to_string())
    }

    /// The answer to a request; a bug in a handler becomes an error answer, not a crash.
    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if self.shut_down {
            return error(id, ErrorCode::InvalidRequest, "the server is shut down");
        }
        if request.method == req::Shutdown::METHOD {
            self.shut_down = true;
            return Response::new_ok(id, ());
        }
        let method = request.method.clone();
        match catch_unwind(AssertUnwindSafe(|| self.handle(request))) {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => error(id, code, &message),
            Err(_) => error(
                id,
                ErrorCode::InternalError,
                &format!("playbook lsp failed to answer {method}"),
            ),
        }
    }

    fn handle(&mut self, request: Request) -> Result<Value, (ErrorCode, String)> {
        let params = request.params;
        if request.method == req::ExecuteCommand::METHOD {
            return self.execute(&params);
        }
        let uri = params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .map(str::to_string);
        let export = self.export.clone();
        let Some(open) = uri.as_ref().and_then(|u| self.open.get_mut(u)) else {
            return match request.method.as_str() {
                req::HoverRequest::METHOD
                | req::GotoDefinition::METHOD
                | req::PrepareRenameRequest::METHOD
                | req::Formatting::METHOD
                | VIEW_FILE_TEXT => Ok(Value::Null),
                req::Completion::METHOD
                | req::References::METHOD
                | req::DocumentSymbolRequest::METHOD
                | req::FoldingRangeRequest::METHOD
                | req::CodeActionRequest::METHOD
                | req::CodeLensRequest::METHOD => Ok(Value::Array(Vec::new())),
                req::Rename::METHOD => Err((
                    ErrorCode::InvalidParams,
                    "the document is not open".to_string(),
                )),
                _ => Err((ErrorCode::MethodNotFound, request.method)),
            };
        };
        let uri = uri.unwrap_or_default();
        let at = |p: &Value| -> Result<usize, (ErrorCode, String)> {
            let pos: lsp_types::Position = parse(p.get("position"))?;
            Ok(open.doc.offset(pos))
        };
        let offset = at(&params);
        open.analysis(export.as_deref());
        let (Some(analysis), doc, lenses) = (&open.analysis, &open.doc, &open.lenses) else {
            return Ok(Value::Null);
        };
        let value = match request.method.as_str() {
            req::HoverRequest::METHOD => to_json(hover::hover(doc, analysis, offset?)),
            req::Completion::METHOD => to_json(completion::complete(doc, analysis, offset?)),
            req::GotoDefinition::METHOD => {
                to_json(navigate::definition(&uri, doc, analysis, offset?))
            }
            req::References::METHOD => {
                let with_def = params
                    .pointer("/context/includeDeclaration")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                to_json(navigate::references(&uri, doc, analysis, offset?, with_def))
            }
            req::PrepareRenameRequest::METHOD => {
                to_json(navigate::prepare_rename(doc, analysis, offset?))
            }
            req::Rename::METHOD => {
                let new_name: String = parse(params.get("newName"))?;
                let edit = navigate::rename(&uri, doc, analysis, offset?, &new_name)
                    .map_err(|m| (ErrorCode::InvalidParams, m))?;
                to_json(edit)
            }
            req::DocumentSymbolRequest::METHOD => to_json(navigate::symbols(doc, analysis)),
            req::FoldingRangeRequest::METHOD => to_json(navigate::folding(doc, analysis)),
            req::Formatting::METHOD => to_json(actions::format(doc)),
            req::CodeActionRequest::METHOD => {
                let range: lsp_types::Range = parse(params.get("range"))?;
                to_json(actions::code_actions(&uri, doc, analysis, range))
            }
            VIEW_FILE_TEXT => Value::String(doc.text.clone()),
            req::CodeLensRequest::METHOD => to_json(lens::code_lenses(doc, analysis, lenses)),
            _ => return Err((ErrorCode::MethodNotFound, request.method)),
        };
        Ok(value)
    }

    fn notified(&mut self, n: Notification) {
        // A notification cannot be answered: a bad one is ignored (and a bug in handling it
        // must not take the server down).
        let _ = catch_unwind(AssertUnwindSafe(|| self.handle_notification(n)));
    }

    fn handle_notification(&mut self, n: Notification) {
        let uri = n
            .params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .map(str::to_string);
        if n.method == note::DidChangeConfiguration::METHOD {
            self.export = sample_export(n.params.pointer("/settings/playbook"));
            for open in self.open.values_mut() {
                open.analysis = None;
                open.unpublished = true;
                open.lenses.clear();
            }
            let uris: Vec<String> = self.open.keys().cloned().collect();
            for uri in uris {
                self.count(&uri);
            }
            return;
        }
        let Some(uri) = uri else { return };
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let doc = Document::new(p.text_document.text, p.text_document.version);
                self.open.insert(
                    uri.clone(),
                    Open {
                        doc,
                        analysis: None,
                        unpublished: true,
                        lenses: Vec::new(),
                    },
                );
                self.count(&uri);
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let Some(open) = self.open.get_mut(&uri) else {
                    return;
                };
                for change in &p.content_changes {
                    open.doc.apply(change.range, &change.text);
                }
                open.doc.version = p.text_document.version;
                open.analysis = None;
                open.unpublished = true;
            }
            note::DidSaveTextDocument::METHOD => self.count(&uri),
            note::DidCloseTextDocument::METHOD => {
                self.open.remove(&uri);
                // An empty list clears what the editor shows for the closed file.
                let params = diagnostics::clear(&uri);
                let _ = self.send(
                    Notification::new(note::PublishDiagnostics::METHOD.into(), params).into(),
                );
            }
            _ => {}
        }
    }

    /// Sends the diagnostics of every document changed since they were last sent.
    fn publish(&mut self) -> Result<(), String> {
        let mut out = Vec::new();
        let mut complaint = None;
        let export = self.export.as_deref();
        for (uri, open) in self.open.iter_mut().filter(|(_, o)| o.unpublished) {
            open.unpublished = false;
            let params = catch_unwind(AssertUnwindSafe(|| {
                open.analysis(export);
                let analysis = open.analysis.as_ref()?;
                complaint = complaint.take().or(analysis.export_error.clone());
                diagnostics::publish(uri, &open.doc, analysis)
            }));
            if let Ok(Some(params)) = params {
                out.push(params);
            }
        }
        for params in out {
            self.send(Notification::new(note::PublishDiagnostics::METHOD.into(), params).into())?;
        }
        if complaint.is_some() && complaint != self.export_error {
            let message = format!(
                "playbook: the sample export: {}",
                complaint.as_deref().unwrap_or("")
            );
            let params = serde_json::json!({ "type": 2, "message": message });
            self.send(Notification::new(note::ShowMessage::METHOD.into(), params).into())?;
        }
        self.export_error = complaint;
        Ok(())
    }
}

fn error(id: RequestId, code: ErrorCode, message: &str) -> Response {
    Response::new_err(id, code as i32, message.to_string())
}

fn parse<T: serde::de::DeserializeOwned>(value: Option<&Value>) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(value.cloned().unwrap_or(Value::Null))
        .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
