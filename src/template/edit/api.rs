//! The edit page's routes: the page, the draft as JSON with the check's findings, one
//! route per kind of edit, and the reference images.

use super::doc::{Contents, Draft, EditError};
use crate::localweb::ApiError;
use crate::template::{FieldShape, Kind, TextFormat};
use axum::{
    Json, Router,
    extract::{Path as UrlPath, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

const PAGE: &str = include_str!("page.html");

#[derive(Clone)]
pub struct EditState(Arc<Inner>);

struct Inner {
    path: PathBuf,
    token: Arc<str>,
    /// One edit at a time: each reads the file, changes it and writes it whole.
    lock: Mutex<()>,
}

impl EditState {
    pub fn new(path: PathBuf, token: String) -> EditState {
        EditState(Arc::new(Inner {
            path,
            token: token.into(),
            lock: Mutex::new(()),
        }))
    }

    /// Runs `edit` on the file off the async workers and answers with the new state.
    async fn apply(
        &self,
        edit: impl FnOnce(&mut Draft) -> Result<bool, EditError> + Send + 'static,
    ) -> Result<Json<Reply>, ApiError> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let _one = me.0.lock.lock().unwrap_or_else(|p| p.into_inner());
            let mut d = Draft::open(&me.0.path)?;
            if edit(&mut d)? {
                d.save()?;
            }
            Ok(Json(reply(&me.0.path, &d)))
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
    }
}

pub fn router(state: EditState) -> Router {
    let router = Router::new()
        .route("/", get(page))
        .route("/api/draft", get(draft))
        .route("/api/box", post(name_box))
        .route("/api/decoy", post(decoy))
        .route("/api/field", post(name_field))
        .route("/api/question", post(question))
        .route("/image/{page}", get(image))
        .with_state(state.clone());
    crate::localweb::guarded(router, state.0.token.clone(), "faxform template edit")
}

impl From<EditError> for ApiError {
    fn from(e: EditError) -> ApiError {
        let code = match e {
            EditError::NoBox { .. } | EditError::NoField { .. } | EditError::NoQuestion { .. } => {
                StatusCode::NOT_FOUND
            }
            EditError::Syntax { .. } => StatusCode::CONFLICT,
            EditError::Bad { .. } => StatusCode::BAD_REQUEST,
        };
        ApiError(code, e.to_string())
    }
}

/// A problem `template check` names, tied to the box, field or question block its line
/// lies in.
#[derive(Serialize)]
struct Problem {
    line: usize,
    message: String,
    /// "box", "field" or "question".
    item: Option<&'static str>,
    /// Number of the box or field, index + 1 of the question block.
    n: usize,
}

#[derive(Serialize)]
struct Reply {
    file: String,
    draft: Contents,
    problems: Vec<Problem>,
    /// The template loads and agrees with the layouts beside it.
    loads: bool,
    /// responses.csv columns, once it loads.
    columns: Vec<String>,
}

fn reply(path: &std::path::Path, d: &Draft) -> Reply {
    let draft = d.contents();
    let mut problems = Vec::new();
    let mut columns = Vec::new();
    match crate::template::load(path) {
        Ok(t) => {
            columns = t.columns().into_iter().map(|c| c.name).collect();
            let others = crate::template::others_beside(path, &t);
            for m in crate::template::problems_beside(&t, &others) {
                problems.push((0, m));
            }
        }
        Err(e) => {
            problems.push((e.line, e.message));
            problems.extend(e.more);
        }
    }
    let mut headers: Vec<(usize, &'static str, usize)> = Vec::new();
    headers.extend(draft.boxes.iter().map(|b| (b.line, "box", b.n)));
    headers.extend(draft.fields.iter().map(|f| (f.line, "field", f.n)));
    headers.extend(
        draft
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.line, "question", i + 1)),
    );
    headers.sort();
    let problems: Vec<Problem> = problems
        .into_iter()
        .map(|(line, message)| {
            let at = headers
                .iter()
                .rev()
                .find(|h| line > 0 && h.0 > 0 && h.0 <= line);
            Problem {
                line,
                message,
                item: at.map(|h| h.1),
                n: at.map(|h| h.2).unwrap_or_default(),
            }
        })
        .collect();
    Reply {
        file: path.display().to_string(),
        loads: problems.is_empty(),
        draft,
        problems,
        columns,
    }
}

async fn page() -> Response {
    crate::localweb::page(PAGE)
}

async fn draft(State(s): State<EditState>) -> Result<Json<Reply>, ApiError> {
    s.apply(|_| Ok(false)).await
}

#[derive(Deserialize)]
struct BoxRequest {
    n: usize,
    question: String,
    code: u32,
    label: String,
}

async fn name_box(
    State(s): State<EditState>,
    Json(r): Json<BoxRequest>,
) -> Result<Json<Reply>, ApiError> {
    s.apply(move |d| d.name_box(r.n, &r.question, r.code, &r.label).map(|_| true))
        .await
}

#[derive(Deserialize)]
struct DecoyRequest {
    n: usize,
    decoy: bool,
}

async fn decoy(
    State(s): State<EditState>,
    Json(r): Json<DecoyRequest>,
) -> Result<Json<Reply>, ApiError> {
    s.apply(move |d| d.set_decoy(r.n, r.decoy).map(|_| true))
        .await
}

#[derive(Deserialize)]
struct FieldRequest {
    n: usize,
    question: String,
    shape: FieldShape,
}

async fn name_field(
    State(s): State<EditState>,
    Json(r): Json<FieldRequest>,
) -> Result<Json<Reply>, ApiError> {
    s.apply(move |d| d.name_field(r.n, &r.question, r.shape).map(|_| true))
        .await
}

#[derive(Deserialize)]
struct QuestionRequest {
    id: String,
    kind: Kind,
    format: Option<TextFormat>,
    #[serde(default)]
    text: String,
}

async fn question(
    State(s): State<EditState>,
    Json(r): Json<QuestionRequest>,
) -> Result<Json<Reply>, ApiError> {
    s.apply(move |d| {
        d.set_question(&r.id, r.kind, r.format, &r.text)
            .map(|_| true)
    })
    .await
}

/// A page's reference image, as the draft names it (a file in the draft's folder only).
async fn image(
    State(s): State<EditState>,
    UrlPath(page): UrlPath<usize>,
) -> Result<Response, ApiError> {
    let me = s.clone();
    tokio::task::spawn_blocking(move || {
        let d = Draft::open(&me.0.path)?;
        let c = d.contents();
        let not_found = || ApiError::not_found(format!("no page {page}"));
        let p = c.pages.get(page.wrapping_sub(1)).ok_or_else(not_found)?;
        let name = std::path::Path::new(&p.image);
        let plain = name.components().count() == 1
            && matches!(
                name.components().next(),
                Some(std::path::Component::Normal(_))
            );
        if !plain {
            return Err(ApiError(
                StatusCode::FORBIDDEN,
                format!("page image {:?} is not a file beside the draft", p.image),
            ));
        }
        let dir = me.0.path.parent().unwrap_or(std::path::Path::new("."));
        let bytes = std::fs::read(dir.join(name)).map_err(|e| {
            ApiError(
                StatusCode::NOT_FOUND,
                format!("page image {}: {e}", dir.join(name).display()),
            )
        })?;
        Ok(([(header::CONTENT_TYPE, "image/png")], bytes).into_response())
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}
