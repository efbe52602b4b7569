//! Bulk actions in the queues: take, assign or escalate several cases at once. Each case is
//! its own [`act`] (its own transaction, lifecycle decision and version check, exactly as
//! from the case's page), so one refused or changed case leaves the others done, and each
//! gets its own answer.

use casia_domain::dto::{BULK_MAX, BulkInput};
use casia_domain::{Action, FieldProblem, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{act, require_processor};
use crate::Services;
use crate::accounts::Caller;
use crate::entity::user;
use crate::error::{ServiceError, ServiceResult};
use casia_domain::dto::ProcessorInput;

/// What happened to each case, in the order given.
pub type BulkResults = Vec<(i64, ServiceResult<()>)>;

pub async fn bulk_act(
    s: &Services,
    caller: &Caller,
    input: &BulkInput,
) -> ServiceResult<BulkResults> {
    require_processor(caller)?;
    let action = Action::from_code(&input.action)
        .filter(|a| matches!(a, Action::Take | Action::Assign | Action::Escalate))
        .ok_or(ServiceError::invalid("action", FieldProblem::InvalidChoice))?;
    if input.cases.is_empty() {
        return Err(ServiceError::invalid("cases", FieldProblem::Required));
    }
    if input.cases.len() > BULK_MAX {
        return Err(ServiceError::invalid(
            "cases",
            FieldProblem::OutOfRange {
                min: 1,
                max: BULK_MAX as i64,
            },
        ));
    }
    if action == Action::Assign && input.target_user_id.is_none() {
        return Err(ServiceError::invalid(
            "target_user_id",
            FieldProblem::Required,
        ));
    }
    let mut results = Vec::with_capacity(input.cases.len());
    for item in &input.cases {
        let one = ProcessorInput {
            action: action.code().to_owned(),
            version: item.version,
            text: input.text.clone(),
            target_user_id: input.target_user_id,
            documents: Vec::new(),
        };
        let outcome = act(s, caller, item.number, one).await;
        // A bad target or text is the same for every case: the whole request is wrong.
        if let Err(ServiceError::Invalid(e)) = &outcome {
            return Err(ServiceError::Invalid(e.clone()));
        }
        results.push((item.number, outcome));
    }
    Ok(results)
}

/// Who a queue's cases can be assigned to: active processors and supervisors, by name.
pub async fn assignable_staff(
    db: &impl ConnectionTrait,
    caller: &Caller,
) -> ServiceResult<Vec<(i64, String)>> {
    require_processor(caller)?;
    Ok(user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Tramitador, Role::Supervisor]))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::FullName)
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect())
}
