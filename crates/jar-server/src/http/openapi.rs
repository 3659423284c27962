//! `GET /openapi.json`: OpenAPI 3.1 of every route, generated from the handlers' annotations.
//!
//! The document is a contract (issue 13, §3): a client generated from it must agree with the
//! server, and CI holds the server to it with schemathesis (`scripts/schemathesis/run`). The
//! handlers' `#[utoipa::path]` attributes list what only that handler answers (its success,
//! 403, 404, 409, 412, 428, 429); [`Contract`] adds what the shared machinery answers for
//! every operation of a kind, so that no operation forgets one:
//!
//! - bearer security and `401` on every operation that does not declare `security(())`
//!   (public: `/healthz`, `/readyz`, `POST /session`, this document);
//! - `400`, `413`, `415` and `422` on every operation with a JSON body ([`super::extract::RawBody`]);
//! - `404` on every operation with a path parameter;
//! - `400` (a control character in the address) and `414` (an address over 8 KiB) on every
//!   operation: `http::edge_checks` runs before any route;
//! - `500` and `503` (the 30-second timeout, an unreachable database) on every operation that
//!   touches the database;
//! - `application/problem+json` with the `Problem` schema on every error response.

use super::ApiContext;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{
    AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

#[derive(OpenApi)]
#[openapi(
    info(title = "jarterm case API", description = "The central case API for the Joint Agency Response. See docs/api.md: every error is `application/problem+json` (RFC 9457); writes take an `Idempotency-Key` or an `If-Match`."),
    paths(
        super::session::login, super::session::logout, super::session::me,
        super::case_list::list_cases, super::cases::create_case, super::cases::get_case, super::cases::patch_case,
        super::deadlines::mark_not_applicable, super::deadlines::unmark_not_applicable,
        super::identity::reveal, super::identity::put_identity, super::identity::family_contacts,
        super::people::candidates, super::people::assign, super::people::withdraw,
        super::people::link_duplicate, super::people::list_covers, super::people::set_cover,
        super::people::end_cover,
        super::exports::notifications, super::exports::one_notification,
        super::timeline::list_events, super::timeline::add_event,
        super::checklists::list_checklists, super::checklists::start_checklist, super::checklists::update_item,
        super::contacts::list_contacts, super::contacts::add_contact, super::contacts::amend_contact,
        super::templates::list_templates,
        super::events::events,
        super::audit::list_audit,
        super::users::list_users, super::users::add_user, super::users::disable_user,
        super::users::reset_password,
        super::handovers::list_handovers, super::handovers::send_handover,
        super::handovers::draft_handover,
        super::handovers::get_handover, super::handovers::acknowledge,
        super::questions::list_questions, super::questions::raise_question,
        super::questions::advance_question,
        super::review::get_review, super::review::patch_review,
        super::involvements::list_involvements, super::involvements::add_involvement,
        super::involvements::report_step,
        super::health::healthz, super::health::readyz,
        openapi_json,
    ),
    components(schemas(jar_core::wire::ChangeEvent, jar_core::wire::Problem, jar_core::people::Slot)),
    modifiers(&Contract),
)]
pub struct ApiDoc;

/// Parameters shared by many operations, declared once (used in the handlers' `params(...)`).
pub mod params {
    #![allow(dead_code)] // Read by the derive only: these describe requests, they are never built.
    use utoipa::IntoParams;

    /// `{reference}` in a case path.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct CasePath {
        /// A case reference, e.g. `JAR-2026-0042` (`jar_core::case::is_case_ref`). A case you
        /// may not see is answered as if it did not exist (404).
        #[param(pattern = r"^JAR-[0-9]{4}-[0-9]{4,6}$")]
        reference: String,
    }

    /// `{reference}/checklists/{template}/items/{item}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct ItemPath {
        /// A case reference, e.g. `JAR-2026-0042`.
        #[param(pattern = r"^JAR-[0-9]{4}-[0-9]{4,6}$")]
        reference: String,
        /// A built-in template id started on this case.
        #[param(schema_with = jar_core::checklist::template_id_schema)]
        template: String,
        /// An item id of that template, e.g. `SUDI-A01`.
        #[param(schema_with = jar_core::checklist::item_id_schema)]
        item: String,
    }

    /// `{reference}/contacts/{id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct ContactPath {
        /// A case reference, e.g. `JAR-2026-0042`.
        #[param(pattern = r"^JAR-[0-9]{4}-[0-9]{4,6}$")]
        reference: String,
        /// The contact's id on this case.
        #[param(minimum = 1)]
        id: i64,
    }

    /// `{reference}/deadlines/{rule}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct RulePath {
        /// A deadline rule id as in the case's `deadlines`, e.g. `home_visit`
        /// (docs/clinical-model.md lists them).
        #[param(pattern = r"^[a-z][a-z0-9_]{0,63}$")]
        rule: String,
    }

    /// `{reference}/questions/{id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct QuestionPath {
        /// A case reference, e.g. `JAR-2026-0042`.
        #[param(pattern = r"^JAR-[0-9]{4}-[0-9]{4,6}$")]
        reference: String,
        /// The question's id on this case.
        #[param(minimum = 1)]
        id: i64,
    }

    /// `{reference}/involvements/{id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct InvolvementPath {
        /// A case reference, e.g. `JAR-2026-0042`.
        #[param(pattern = r"^JAR-[0-9]{4}-[0-9]{4,6}$")]
        reference: String,
        /// The professional's id on this case.
        #[param(minimum = 1)]
        id: i64,
    }

    /// `/handovers/{id}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct HandoverPath {
        /// The handover's id.
        #[param(minimum = 1)]
        id: i64,
    }

    /// `/users/{name}`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Path)]
    pub struct UserPath {
        /// A username.
        #[param(schema_with = jar_core::text::schema::username)]
        name: String,
    }

    /// Creating writes: a key the client makes up and reuses when it retries, so a retry
    /// returns the first answer instead of writing twice (docs/api.md).
    #[derive(IntoParams)]
    #[into_params(parameter_in = Header)]
    pub struct IdempotencyKey {
        /// 1 to 200 printable ASCII characters, unique per request (a UUID will do). Reused
        /// with a different body: 422.
        #[param(rename = "Idempotency-Key", pattern = r"^[!-~]([ -~]{0,198}[!-~])?$")]
        key: String,
    }

    /// As [`IdempotencyKey`], where the key is optional (a reveal: a retry is audited again).
    #[derive(IntoParams)]
    #[into_params(parameter_in = Header)]
    pub struct OptionalIdempotencyKey {
        /// 1 to 200 printable ASCII characters; with it, a retry returns the first answer.
        #[param(rename = "Idempotency-Key", pattern = r"^[!-~]([ -~]{0,198}[!-~])?$")]
        key: Option<String>,
    }

    /// Conditional writes: the version last read, as its `ETag` gave it.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Header)]
    pub struct IfMatch {
        /// The `ETag` of the version you last read, e.g. `"7"`. Missing: 428. Any other
        /// version (or a value that is no version): 412, with the current state attached.
        #[param(rename = "If-Match", pattern = r#"^(W/)?"[0-9]{1,18}"$"#)]
        version: String,
    }

    /// `GET /events`.
    #[derive(IntoParams)]
    #[into_params(parameter_in = Header)]
    pub struct LastEventId {
        /// Resume after this change: the `id` of the last event received, or the `seq` of a
        /// case list. A value that is not a number is ignored (the stream starts from now).
        #[param(rename = "Last-Event-ID")]
        last: Option<String>,
    }
}

/// One event of `GET /events` as a client reads it (the OpenAPI 3.1 reading of a
/// `text/event-stream` schema: one event): a `change`, whose `data` is a `ChangeEvent`, or a
/// `resync`, which tells the client to refetch what it shows.
pub struct StreamEvent;

impl utoipa::PartialSchema for StreamEvent {
    fn schema() -> RefOr<Schema> {
        let id = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[0-9]+$"))
                .description(Some(
                    "The change sequence number: send it back as `Last-Event-ID`.",
                ))
        };
        let change = ObjectBuilder::new()
            .property(
                "event",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["change"])),
            )
            .required("event")
            .property(
                "data",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .content_media_type("application/json")
                    .description(Some("A `ChangeEvent` as JSON.")),
            )
            .required("data")
            .property("id", id())
            .required("id")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let resync = ObjectBuilder::new()
            .property(
                "event",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["resync"])),
            )
            .required("event")
            .property(
                "data",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["{}"])),
            )
            .required("data")
            .property("id", id())
            .required("id")
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        OneOfBuilder::new()
            .item(change)
            .item(resync)
            .description(Some(
                "One server-sent event. Comments (`:`) keep the connection alive every 15 seconds.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for StreamEvent {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            "ChangeEvent".into(),
            <jar_core::wire::ChangeEvent as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// Adds to every operation what the shared machinery answers (see the module comment).
struct Contract;

/// Operations that cannot fail inside (no 500): they read nothing, or map every failure to 503.
const NO_INTERNAL_ERROR: [&str; 3] = ["healthz", "openapi_json", "readyz"];
/// Operations that never wait on anything (no 503).
const NEVER_WAIT: [&str; 2] = ["healthz", "openapi_json"];
/// Operations whose success carries `ETag: "<version>"` (`Reply::etag` in the handler).
const ETAG: [&str; 9] = [
    "get_review",
    "patch_review",
    "create_case",
    "mark_not_applicable",
    "unmark_not_applicable",
    "get_case",
    "patch_case",
    "add_event",
    "update_item",
];

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn default_description(status: &str) -> &'static str {
    match status {
        "400" => {
            "bad request: malformed JSON, a missing or malformed `Idempotency-Key`, a control character in the address, or a query parameter that is not as documented"
        }
        "401" => "no valid bearer token (`WWW-Authenticate: Bearer`)",
        "403" => "your role may not do this",
        "404" => "no such resource that you can see",
        "409" => "conflict",
        "412" => "`If-Match` names another version; `current` holds the current state",
        "413" => "the body is larger than 256 KiB",
        "414" => "the URI is too long",
        "415" => "the body is not `application/json`",
        "422" => {
            "the body is JSON of the wrong shape, breaks a text rule, or reuses an `Idempotency-Key` for another request"
        }
        "428" => "this write needs `If-Match`",
        "429" => "too many failed sign-ins (`Retry-After` says how long to wait)",
        "500" => "internal error (logged without personal data)",
        "503" => "the database is not reachable, or the request took longer than 30 seconds",
        _ => "",
    }
}

fn add(op: &mut Operation, status: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::T(problem(default_description(status))));
}

impl utoipa::Modify for Contract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                contract(op);
            }
        }
    }
}

fn contract(op: &mut Operation) {
    let id = op.operation_id.clone().unwrap_or_default();
    // `security(())` on the handler marks a public operation: say so with an empty list.
    let public = op.security.as_ref().is_some_and(|s| {
        s.iter()
            .all(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({})))
    });
    if public {
        op.security = Some(Vec::new());
    } else {
        op.security = Some(vec![SecurityRequirement::new::<_, _, &str>("bearer", [])]);
        add(op, "401");
    }
    // A path parameter declared in `params(...)` is also inferred from the path template: keep
    // the declared one (the first), which carries the rule.
    // A parameter is absent or has a value: never `null` (an `Option` field says "optional").
    if let Some(params) = op.parameters.as_mut() {
        let mut seen = std::collections::HashSet::new();
        params.retain(|p| match p {
            RefOr::T(p) => seen.insert((p.name.clone(), place(&p.parameter_in))),
            RefOr::Ref(_) => true,
        });
        for p in params.iter_mut() {
            if let RefOr::T(p) = p {
                if let Some(schema) = p.schema.as_mut() {
                    drop_null(schema);
                }
                // OpenAPI: a path parameter is always required.
                if p.parameter_in == ParameterIn::Path {
                    p.required = utoipa::openapi::Required::True;
                }
            }
        }
    }
    let params = op.parameters.as_deref().unwrap_or_default();
    let located = |wanted: ParameterIn| {
        params
            .iter()
            .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == wanted))
    };
    let has_path = located(ParameterIn::Path);
    if has_path {
        add(op, "404");
    }
    // Every address is checked before any route runs (`http::edge_checks`): a control character
    // in it is 400 and one over 8 KiB is 414, whatever the operation.
    add(op, "400");
    add(op, "414");
    if op.request_body.is_some() {
        for status in ["400", "413", "415", "422"] {
            add(op, status);
        }
    }
    if !NO_INTERNAL_ERROR.contains(&id.as_str()) {
        add(op, "500");
    }
    if !NEVER_WAIT.contains(&id.as_str()) {
        add(op, "503");
    }
    // Every error is problem+json; every response has a description.
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let is_error = status.starts_with('4') || status.starts_with('5');
        if is_error {
            let description = if response.description.is_empty() {
                default_description(status).to_string()
            } else {
                response.description.clone()
            };
            let headers = std::mem::take(&mut response.headers);
            *response = problem(&description);
            response.headers = headers;
        } else if response.description.is_empty() {
            response.description = "success".into();
        }
    }
    for (status, response) in op.responses.responses.iter_mut() {
        if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
            if ETAG.contains(&id.as_str()) {
                r.headers.insert("ETag".into(), RefOr::T(etag_header()));
            }
            if let Some((what, pattern)) = location(&id) {
                r.headers
                    .insert("Location".into(), RefOr::T(header_of(what, Some(pattern))));
            }
        }
    }
    if let Some(RefOr::T(r)) = op.responses.responses.get_mut("401") {
        r.headers.insert(
            "WWW-Authenticate".into(),
            RefOr::T(header_of("`Bearer`", Some("^Bearer"))),
        );
    }
    if let Some(RefOr::T(r)) = op.responses.responses.get_mut("429") {
        r.headers.insert(
            "Retry-After".into(),
            RefOr::T(
                utoipa::openapi::HeaderBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(0)),
                    ))
                    .description(Some("seconds to wait before trying again"))
                    .build(),
            ),
        );
    }
}

/// `Location` on the answers that create a resource with its own address (`Reply::location`).
fn location(operation: &str) -> Option<(&'static str, &'static str)> {
    match operation {
        "create_case" => Some((
            "the new case, `/api/v1/cases/{reference}`",
            "^/api/v1/cases/JAR-[0-9]{4}-[0-9]{4,6}$",
        )),
        "send_handover" => Some((
            "the new handover, `/api/v1/handovers/{id}`",
            "^/api/v1/handovers/[0-9]+$",
        )),
        _ => None,
    }
}

fn place(p: &ParameterIn) -> &'static str {
    match p {
        ParameterIn::Path => "path",
        ParameterIn::Query => "query",
        ParameterIn::Header => "header",
        ParameterIn::Cookie => "cookie",
        _ => "query string",
    }
}

/// `["integer", "null"]` becomes `"integer"`; `oneOf: [X, {"type": "null"}]` becomes `X`.
fn drop_null(schema: &mut RefOr<Schema>) {
    match schema {
        RefOr::T(Schema::Object(o)) => {
            if let SchemaType::Array(types) = &o.schema_type {
                let kept: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                o.schema_type = match kept.as_slice() {
                    [one] => SchemaType::Type(one.clone()),
                    _ => SchemaType::Array(kept),
                };
            }
        }
        RefOr::T(Schema::OneOf(one_of)) => {
            let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
            let kept: Vec<RefOr<Schema>> = one_of
                .items
                .iter()
                .filter(|s| !is_null(s))
                .cloned()
                .collect();
            if let [one] = kept.as_slice() {
                *schema = one.clone();
            }
        }
        _ => {}
    }
}

fn header_of(description: &str, pattern: Option<&str>) -> utoipa::openapi::Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .pattern(pattern),
        ))
        .description(Some(description))
        .build()
}

/// `ETag: "<version>"` on answers that carry a versioned resource.
fn etag_header() -> utoipa::openapi::Header {
    header_of(
        "the version, for `If-Match` on the next write",
        Some(r#"^"[0-9]+"$"#),
    )
}

pub fn router() -> Router<Arc<ApiContext>> {
    Router::new().route("/openapi.json", get(openapi_json))
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "this document", content_type = "application/json")))]
pub async fn openapi_json() -> impl IntoResponse {
    let body = ApiDoc::openapi().to_json().unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body)
}
