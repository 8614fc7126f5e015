//! The review page's routes: the page itself, its JSON API and the crops.

use super::view::{Forms, ItemView, view};
use crate::localweb::ApiError;
use crate::store::{Decided, Store};
use crate::template::Template;
use anyhow::Result;
use axum::{
    Json, Router,
    extract::{Path as UrlPath, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

const PAGE: &str = include_str!("page.html");

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Mutex<Store>,
    dir: PathBuf,
    forms: Forms,
    token: Arc<str>,
}

impl AppState {
    pub fn new(store: Store, dir: PathBuf, templates: Vec<Template>, token: String) -> AppState {
        AppState(Arc::new(Inner {
            store: Mutex::new(store),
            dir,
            forms: Forms::new(templates),
            token: token.into(),
        }))
    }

    pub fn token(&self) -> &str {
        &self.0.token
    }

    /// (open, total) items.
    pub fn progress(&self) -> Result<(usize, usize)> {
        self.0.store.lock().unwrap().item_counts()
    }

    /// Runs `f` on the store off the async workers: SQLite may wait for another process
    /// (a second reviewer's server) holding the write lock.
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store, &Inner) -> Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let inner = &me.0;
            let mut s = inner.store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s, inner)
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(format!("{e:#}")))
    }
}

pub fn router(state: AppState) -> Router {
    let router = Router::new()
        .route("/", get(page))
        .route("/api/items", get(items))
        .route("/api/decide", post(decide))
        .route("/api/undo", post(undo))
        .route("/api/view", post(set_view))
        .route("/api/audit", get(audit))
        .route("/crop/{id}", get(crop))
        .with_state(state.clone());
    crate::localweb::guarded(router, state.0.token.clone(), "faxform review")
}

async fn page() -> Response {
    crate::localweb::page(PAGE)
}

#[derive(Serialize)]
struct Progress {
    done: usize,
    open: usize,
    total: usize,
}

/// How long an item counts as on another reviewer's screen after their page last said so
/// (pages say it on every item change and every few seconds).
const VIEW_SECS: f64 = 30.0;

#[derive(Serialize)]
struct Viewer {
    id: i64,
    reviewer: String,
}

fn viewers(s: &Store) -> Result<Vec<Viewer>> {
    Ok(s.viewing(VIEW_SECS)?
        .into_iter()
        .map(|(id, reviewer)| Viewer { id, reviewer })
        .collect())
}

#[derive(Serialize)]
struct ItemsReply {
    folder: String,
    items: Vec<ItemView>,
    progress: Progress,
    viewing: Vec<Viewer>,
}

fn progress(views: &[ItemView]) -> Progress {
    let done = views.iter().filter(|v| v.decided).count();
    Progress {
        done,
        open: views.len() - done,
        total: views.len(),
    }
}

async fn items(State(state): State<AppState>) -> Result<Json<ItemsReply>, ApiError> {
    state
        .with_store(|s, inner| {
            let items: Vec<ItemView> = s.items()?.iter().map(|i| view(i, &inner.forms)).collect();
            Ok(Json(ItemsReply {
                folder: inner.dir.display().to_string(),
                progress: progress(&items),
                items,
                viewing: viewers(s)?,
            }))
        })
        .await
}

#[derive(Deserialize)]
struct DecideRequest {
    id: i64,
    value: String,
    action: String,
    reviewer: String,
    version: i64,
}

#[derive(Serialize)]
struct DecideReply {
    item: ItemView,
    conflict: bool,
    progress: Progress,
    viewing: Vec<Viewer>,
}

fn reviewer_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request("reviewer name: 1 to 64 characters"));
    }
    Ok(name.to_string())
}

/// Turns a store outcome into the reply: 200 with the item, or 409 with the item as it
/// is now when somebody changed it first.
fn reply(outcome: Decided, s: &Store, forms: &Forms) -> Result<(StatusCode, Json<DecideReply>)> {
    let (item, conflict) = match outcome {
        Decided::Done(i) => (i, false),
        Decided::Conflict(i) => (i, true),
    };
    let (open, total) = s.item_counts()?;
    let code = if conflict {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((
        code,
        Json(DecideReply {
            item: view(&item, forms),
            conflict,
            progress: Progress {
                done: total - open,
                open,
                total,
            },
            viewing: viewers(s)?,
        }),
    ))
}

async fn decide(
    State(state): State<AppState>,
    Json(req): Json<DecideRequest>,
) -> Result<(StatusCode, Json<DecideReply>), ApiError> {
    let reviewer = reviewer_name(&req.reviewer)?;
    const ACTIONS: [&str; 5] = ["accept", "mark", "unmark", "set", "edit"];
    if !ACTIONS.contains(&req.action.as_str()) {
        return Err(ApiError::bad_request(format!(
            "unknown action {:?}",
            req.action
        )));
    }
    let value = req.value.trim_end().to_string();
    state
        .with_store(move |s, inner| {
            let Some(item) = s.item(req.id)? else {
                return Ok(Err(ApiError::not_found(format!(
                    "no review item {}",
                    req.id
                ))));
            };
            if let Err(e) = view(&item, &inner.forms).check(&value) {
                return Ok(Err(ApiError::bad_request(format!("item {}: {e}", req.id))));
            }
            let outcome = s
                .decide(req.id, &value, &req.action, &reviewer, req.version)?
                .expect("item exists");
            Ok(Ok(reply(outcome, s, &inner.forms)?))
        })
        .await?
}

#[derive(Deserialize)]
struct UndoRequest {
    reviewer: String,
}

async fn undo(
    State(state): State<AppState>,
    Json(req): Json<UndoRequest>,
) -> Result<(StatusCode, Json<DecideReply>), ApiError> {
    let reviewer = reviewer_name(&req.reviewer)?;
    state
        .with_store(move |s, inner| match s.undo(&reviewer)? {
            Some(outcome) => Ok(Ok(reply(outcome, s, &inner.forms)?)),
            None => Ok(Err(ApiError::not_found(format!(
                "{reviewer} has nothing to undo"
            )))),
        })
        .await?
}

#[derive(Deserialize)]
struct ViewRequest {
    id: i64,
    reviewer: String,
}

async fn set_view(
    State(state): State<AppState>,
    Json(req): Json<ViewRequest>,
) -> Result<Json<Vec<Viewer>>, ApiError> {
    let reviewer = reviewer_name(&req.reviewer)?;
    state
        .with_store(move |s, _| {
            s.set_viewing(req.id, &reviewer)?;
            Ok(Json(viewers(s)?))
        })
        .await
}

async fn audit(
    State(state): State<AppState>,
) -> Result<Json<Vec<crate::store::AuditEntry>>, ApiError> {
    state.with_store(|s, _| Ok(Json(s.audit()?))).await
}

/// The crop's file, provided it lies inside the output folder: the path comes from the
/// store, and a store edited by hand (or by a future bug) must not make this server hand
/// out any other file of the machine.
pub fn crop_path(dir: &Path, image: &str) -> Option<PathBuf> {
    let rel = Path::new(image);
    if image.is_empty()
        || rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let full = dir.join(rel).canonicalize().ok()?;
    (full.starts_with(dir) && full.is_file()).then_some(full)
}

async fn crop(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<i64>,
) -> Result<Response, ApiError> {
    let bytes = state
        .with_store(move |s, inner| {
            let Some(item) = s.item(id)? else {
                return Ok(None);
            };
            match crop_path(&inner.dir, &item.image) {
                Some(p) => Ok(Some(std::fs::read(p)?)),
                None => Ok(None),
            }
        })
        .await?;
    match bytes {
        // A crop never changes under its item: the browser may keep it (in memory for this
        // page, not in shared caches), so the grid does not fetch hundreds again each poll.
        Some(b) => Ok((
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, max-age=86400"),
            ],
            b,
        )
            .into_response()),
        None => Err(ApiError::not_found(format!("no crop for item {id}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::crop_path;

    #[test]
    fn crop_paths_stay_inside_the_output_folder() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        std::fs::create_dir_all(dir.join("crops")).unwrap();
        std::fs::write(dir.join("crops/a.png"), b"png").unwrap();
        std::fs::write(root.path().join("secret.txt"), b"secret").unwrap();
        std::os::unix::fs::symlink(root.path().join("secret.txt"), dir.join("crops/link.png"))
            .unwrap();
        let dir = dir.canonicalize().unwrap();
        assert_eq!(
            crop_path(&dir, "crops/a.png"),
            Some(dir.join("crops/a.png"))
        );
        for bad in [
            "",
            "../secret.txt",
            "crops/../../secret.txt",
            "/etc/passwd",
            "crops/link.png",
            "crops",
            "crops/missing.png",
        ] {
            assert_eq!(crop_path(&dir, bad), None, "{bad}");
        }
    }
}
