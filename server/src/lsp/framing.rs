//! The wire between stdio and tower-lsp-server. Its reader stops for good at the first message
//! it cannot decode (tokio-util's `FramedRead` ends after a decoder error), so one bad message
//! from a client would end the session. This layer reads the `Content-Length` frames itself and
//! forwards only messages the server can decode:
//!
//! * lone UTF-16 surrogate escapes (`"\ud83d"`, which JavaScript clients can send) become U+FFFD,
//!   and invalid UTF-8 is replaced the same way, so the message still goes through;
//! * what still is not JSON gets `-32700 Parse error`; JSON that is not a JSON-RPC message
//!   (an empty batch `[]`, a number, a request with a bad id) gets `-32600 Invalid Request`,
//!   with the message's id when it has one, else `null`; non-empty batches are unbatched;
//! * frames without a usable `Content-Length` are answered `-32700` and skipped.
//!
//! The server's own output goes through here too, frame by frame, so that the errors answered
//! here never interleave with a message being written.

use serde_json::{Value, json};
use std::borrow::Cow;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tower_lsp_server::jsonrpc::{Request, Response};

/// A frame larger than this is answered with an error and skipped, not buffered.
pub const MAX_FRAME: usize = 256 * 1024 * 1024;
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// One read from the input.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// Headers without a usable `Content-Length` (or a frame over [`MAX_FRAME`], skipped).
    BadHeader(String),
    Eof,
}

/// Reads one `Content-Length` frame.
pub async fn read_frame<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = (&mut *r)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(Frame::Eof);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            // Stray blank lines between frames.
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
            );
        }
    }
    match length {
        None => Ok(Frame::BadHeader("missing Content-Length".into())),
        Some(Err(e)) => Ok(Frame::BadHeader(e)),
        Some(Ok(n)) if n > MAX_FRAME => {
            // Skip the body without keeping it.
            let skipped =
                tokio::io::copy(&mut (&mut *r).take(n as u64), &mut tokio::io::sink()).await?;
            if (skipped as usize) < n {
                return Ok(Frame::Eof);
            }
            Ok(Frame::BadHeader(format!(
                "message of {n} bytes is over the {MAX_FRAME} byte limit"
            )))
        }
        Some(Ok(n)) => {
            let mut body = vec![0; n];
            match r.read_exact(&mut body).await {
                Ok(_) => Ok(Frame::Body(body)),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(Frame::Eof),
                Err(e) => Err(e),
            }
        }
    }
}

/// Replaces `\uXXXX` escapes of unpaired UTF-16 surrogates with `\ufffd` (serde_json rejects them).
pub fn repair_surrogates(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let hex = |i: usize| -> Option<u16> {
        let h = s.get(i..i + 4)?;
        if !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(h, 16).ok()
    };
    // The \u escape at `i` (pointing at the backslash), if any.
    let escape_at = |i: usize| -> Option<u16> {
        if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') {
            hex(i + 2)
        } else {
            None
        }
    };
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_at(i) else {
            // Another escape (`\\`, `\"`, ...): skip the escaped character.
            i += 2;
            continue;
        };
        let lone = match unit {
            0xD800..=0xDBFF => {
                if escape_at(i + 6).is_some_and(|next| (0xDC00..=0xDFFF).contains(&next)) {
                    // A valid pair: keep both.
                    i += 12;
                    continue;
                }
                true
            }
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[last..i]);
            o.push_str("\\ufffd");
            last = i + 6;
        }
        i += 6;
    }
    match out {
        None => Cow::Borrowed(s),
        Some(mut o) => {
            o.push_str(&s[last..]);
            Cow::Owned(o)
        }
    }
}

/// What to do with one frame's body: messages to forward to the server (repaired), or the error
/// response to send back.
pub fn triage(body: &[u8]) -> Result<Vec<String>, Value> {
    let text = String::from_utf8_lossy(body);
    let text = repair_surrogates(&text);
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Err(error(Value::Null, -32700, &format!("Parse error: {e}"))),
    };
    match value {
        Value::Array(items) if items.is_empty() => {
            Err(error(Value::Null, -32600, "Invalid Request: empty batch"))
        }
        Value::Array(items) => {
            // LSP has no batches; each one goes on its own (invalid ones are dropped: there is one
            // error response per frame, for the first).
            let mut out = Vec::new();
            let mut first_error = None;
            for item in items {
                match decodable(item) {
                    Ok(s) => out.push(s),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            match (out.is_empty(), first_error) {
                (true, Some(e)) => Err(e),
                _ => Ok(out),
            }
        }
        v => decodable(v).map(|s| vec![s]),
    }
}

/// The message as text if tower-lsp-server decodes it, else an `Invalid Request` error.
fn decodable(v: Value) -> Result<String, Value> {
    let text = v.to_string();
    if serde_json::from_str::<Response>(&text).is_ok()
        || serde_json::from_str::<Request>(&text).is_ok()
    {
        return Ok(text);
    }
    let id = match v.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Err(error(
        id,
        -32600,
        "Invalid Request: not a JSON-RPC 2.0 message",
    ))
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Runs a server (`run`, given its input and output) over `input`/`output` through this layer,
/// until it ends.
pub async fn serve<I, O, F, Fut>(input: I, mut output: O, run: F)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    F: FnOnce(tokio::io::DuplexStream, tokio::io::DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (server_in, mut to_server) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (errors_tx, mut errors_rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<Vec<u8>>(16);
    // Reader: client -> server, answering what the server could not decode.
    tokio::spawn(async move {
        let mut input = tokio::io::BufReader::new(input);
        loop {
            let answer = match read_frame(&mut input).await {
                Ok(Frame::Eof) | Err(_) => break,
                Ok(Frame::BadHeader(why)) => {
                    error(Value::Null, -32700, &format!("Parse error: {why}"))
                }
                Ok(Frame::Body(body)) => match triage(&body) {
                    Ok(messages) => {
                        for m in messages {
                            if to_server.write_all(&frame(m.as_bytes())).await.is_err() {
                                return;
                            }
                        }
                        continue;
                    }
                    Err(answer) => answer,
                },
            };
            if errors_tx
                .send(frame(answer.to_string().as_bytes()))
                .is_err()
            {
                return;
            }
        }
        // End of input: the server sees it as its own.
        let _ = to_server.shutdown().await;
    });
    // The server's output, frame by frame (a read is never cancelled half-way).
    tokio::spawn(async move {
        let mut from_server = tokio::io::BufReader::new(from_server);
        while let Ok(Frame::Body(body)) = read_frame(&mut from_server).await {
            if out_tx.send(frame(&body)).await.is_err() {
                return;
            }
        }
    });
    // Writer: whole frames only, until the server's output ends.
    let writer = tokio::spawn(async move {
        let mut errors_open = true;
        loop {
            let bytes = tokio::select! {
                f = out_rx.recv() => match f {
                    Some(bytes) => bytes,
                    None => break,
                },
                e = errors_rx.recv(), if errors_open => match e {
                    Some(bytes) => bytes,
                    None => {
                        errors_open = false;
                        continue;
                    }
                },
            };
            if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
                return;
            }
        }
        let _ = output.flush().await;
    });
    run(server_in, server_out).await;
    // The server is done: let the writer drain what it wrote.
    let _ = writer.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(repair_surrogates(r#""a\ud83d""#), r#""a\ufffd""#);
        assert_eq!(repair_surrogates(r#""\ude00x""#), r#""\ufffdx""#);
        assert_eq!(repair_surrogates(r#""\ud83d\ude00""#), r#""\ud83d\ude00""#);
        assert_eq!(repair_surrogates(r#""\\ud83d""#), r#""\\ud83d""#);
        assert_eq!(
            repair_surrogates(r#""\ud83d\ud83d\ude00""#),
            r#""\ufffd\ud83d\ude00""#
        );
        assert_eq!(repair_surrogates(r#""\u00e9""#), r#""\u00e9""#);
        assert_eq!(repair_surrogates("\"\\u12\""), "\"\\u12\"");
    }

    #[test]
    fn bad_messages_get_errors_good_ones_go_through() {
        let code = |b: &[u8]| {
            triage(b)
                .err()
                .map(|e| e["error"]["code"].as_i64().unwrap_or(0))
        };
        assert_eq!(code(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\""), Some(-32700));
        assert_eq!(code(b"\xff\xfe"), Some(-32700));
        assert_eq!(code(b"[]"), Some(-32600));
        assert_eq!(code(b"5"), Some(-32600));
        let e = triage(br#"{"jsonrpc":"2.0","id":7,"method":5}"#).unwrap_err();
        assert_eq!(e["id"], 7);
        let ok = triage(
            br#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"t":"\ud83d"}}"#,
        )
        .unwrap();
        assert_eq!(ok.len(), 1);
        assert!(ok[0].contains('\u{fffd}'));
        let batch =
            triage(br#"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","id":1,"method":"b"}]"#)
                .unwrap();
        assert_eq!(batch.len(), 2);
    }
}
