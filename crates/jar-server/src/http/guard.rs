//! Scope and permission, checked the same way by every route: scope first (a case outside it
//! is 404, so its existence is not revealed), then the role's permission (403). The rules
//! themselves are in `jar_core::permissions`; this module turns them into problems.

use super::error::{Error, Result};
use crate::store::{Conn, cases};
use jar_core::Case;
use jar_core::permissions::{self, Permission, Principal, allows};

/// A permission and the words for it in a refusal ("a key worker cannot {what}").
pub type Need = (Permission, &'static str);

/// Load a case the person may see. Anything else (no such case, another area, a key worker's
/// unassigned case, a malformed reference) is the same 404, which never repeats the reference
/// sent (issue 13 §1: problem details never echo request text).
pub async fn find_in_scope(
    conn: &mut Conn,
    who: &Principal,
    reference: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(i64, Case)> {
    let not_found =
        || Error::NotFound("there is no case with that reference that you can see".into());
    if !jar_core::case::is_case_ref(reference) {
        return Err(not_found());
    }
    match cases::find(conn, reference).await? {
        Some((id, case)) if permissions::in_scope(who, &case) => Ok((id, case)),
        // A key worker covering a colleague sees the colleague's cases (issue 15 §4).
        Some((id, case)) if who.role == jar_core::Role::KeyWorker => {
            let covering = crate::store::people::covering(conn, &who.username, now).await?;
            if permissions::in_scope_covering(who, &case, &covering) {
                Ok((id, case))
            } else {
                Err(not_found())
            }
        }
        _ => Err(not_found()),
    }
}

/// The role's permission, from `jar_core::permissions::MATRIX`.
pub fn require(who: &Principal, (permission, what): Need) -> Result<()> {
    if allows(who.role, permission) {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "a {} cannot {what}",
            who.role.label()
        )))
    }
}

/// An item's owning agencies decide who may change it (`permissions::item_lock_reason`).
pub fn require_item(who: &Principal, item: &jar_core::checklist::TemplateItem) -> Result<()> {
    match permissions::item_lock_reason(who.role, item) {
        None => Ok(()),
        Some(reason) => Err(Error::Forbidden(format!(
            "this item is {reason}; you can see its status but not change it"
        ))),
    }
}
