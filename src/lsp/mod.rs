//! `playbook lsp`: a language server over standard input and output (`lsp-server`,
//! `lsp-types`, no async runtime). Diagnostics are `playbook check`'s; hover, completion,
//! navigation, rename, formatting and quick fixes come from the same parse.
//!
//! Only `analysis` calls into the rest of the crate; the other files work on its facts.

mod actions;
mod analysis;
mod completion;
mod diagnostics;
mod document;
mod hover;
mod lens;
mod navigate;
mod server;

use lsp_server::Connection;

/// Serves one editor over standard input and output until it says `exit` or goes away.
/// `Ok(false)`: it went without asking for `shutdown` first.
pub fn serve_stdio() -> Result<bool, String> {
    let (connection, io_threads) = Connection::stdio();
    let clean = serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())?;
    Ok(clean)
}

/// The handshake, then the main loop.
pub fn serve(connection: &Connection) -> Result<bool, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let result = serde_json::json!({
        "capabilities": server::capabilities(),
        "serverInfo": { "name": "playbook", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    server::Server::new(connection, &params).run()
}
