//! The goal state machine: active ↔ paused, active/paused → completed, active/paused →
//! cancelled. Any other move is refused with 400 (`VALIDATION_2002`) and changes nothing. A goal
//! whose saved amount reaches its target completes itself (with `completed_at`).

use super::{GoalCtx, GoalRow, GoalView, store};
use crate::error::{Code, Error, Result};
use crate::id::Id;

/// A requested state change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Complete,
    Pause,
    Resume,
    Cancel,
}

impl Move {
    /// The move that leads to `status` (as given to `PATCH`).
    pub fn to(status: &str) -> Option<Move> {
        match status {
            "completed" => Some(Move::Complete),
            "paused" => Some(Move::Pause),
            "active" => Some(Move::Resume),
            "cancelled" => Some(Move::Cancel),
            _ => None,
        }
    }

    fn target(self) -> &'static str {
        match self {
            Move::Complete => "completed",
            Move::Pause => "paused",
            Move::Resume => "active",
            Move::Cancel => "cancelled",
        }
    }
}

fn refused(from: &str, mv: Move) -> Error {
    Error::BadRequest {
        code: Code::Validation2002,
        message: format!(
            "A {from} goal cannot become {}{}",
            mv.target(),
            match mv {
                Move::Resume => " (only a paused goal can be resumed)",
                Move::Pause => " (only an active goal can be paused)",
                _ => "",
            }
        ),
    }
}

/// Applies `mv` to `row` at `now`, or refuses it.
pub fn apply(row: &mut GoalRow, mv: Move, now: i64) -> Result<()> {
    let from = row.status.clone();
    let allowed = matches!(
        (from.as_str(), mv),
        ("active", Move::Pause)
            | ("paused", Move::Resume)
            | ("active" | "paused", Move::Complete)
            | ("active" | "paused", Move::Cancel)
    );
    if !allowed {
        return Err(refused(&from, mv));
    }
    row.status = mv.target().to_string();
    match mv {
        Move::Complete => row.completed_at = Some(now),
        Move::Resume => auto_complete(row, now),
        Move::Pause | Move::Cancel => {}
    }
    Ok(())
}

/// `PATCH {status}`: the same status is no move at all; another one must be allowed.
pub fn apply_status(row: &mut GoalRow, status: &str, now: i64) -> Result<()> {
    if row.status == status {
        return Ok(());
    }
    let mv = Move::to(status).ok_or_else(|| Error::BadRequest {
        code: Code::Validation2002,
        message: "Unknown goal status".into(),
    })?;
    apply(row, mv, now)
}

/// An active or paused goal whose saved amount reached the target becomes completed.
pub fn auto_complete(row: &mut GoalRow, now: i64) {
    if matches!(row.status.as_str(), "active" | "paused")
        && row.saved_amount_cents >= row.target_amount_cents
    {
        row.status = "completed".into();
        row.completed_at = Some(now);
    }
}

/// `POST /api/goals/{id}/complete | pause | resume`.
pub async fn change(ctx: &GoalCtx<'_>, id: Id, mv: Move) -> Result<GoalView> {
    store::modify(ctx, id, |row, now| apply(row, mv, now)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, saved: i64) -> GoalRow {
        GoalRow {
            id: Id::new(),
            user_id: Id::new(),
            title: "t".into(),
            description: None,
            category: None,
            target_amount_cents: 1000,
            saved_amount_cents: saved,
            monthly_contribution_cents: None,
            currency: "USD".into(),
            status: status.into(),
            priority: "medium".into(),
            target_date: None,
            goal_milestones_notified: 0,
            created_at: 0,
            updated_at: 0,
            completed_at: None,
            deleted_at: None,
        }
    }

    #[test]
    fn only_the_documented_moves_are_allowed() {
        for (from, mv, ok) in [
            ("active", Move::Pause, true),
            ("active", Move::Resume, false),
            ("paused", Move::Resume, true),
            ("paused", Move::Pause, false),
            ("active", Move::Complete, true),
            ("paused", Move::Complete, true),
            ("completed", Move::Complete, false),
            ("completed", Move::Resume, false),
            ("cancelled", Move::Resume, false),
            ("active", Move::Cancel, true),
            ("completed", Move::Cancel, false),
        ] {
            let mut r = row(from, 0);
            assert_eq!(apply(&mut r, mv, 5).is_ok(), ok, "{from} {mv:?}");
            if !ok {
                assert_eq!(r.status, from, "a refused move changes nothing");
            }
        }
    }

    #[test]
    fn completing_stamps_completed_at_and_full_savings_complete_by_themselves() {
        let mut r = row("active", 0);
        apply(&mut r, Move::Complete, 42).unwrap();
        assert_eq!(r.completed_at, Some(42));
        let mut r = row("active", 1000);
        auto_complete(&mut r, 7);
        assert_eq!((r.status.as_str(), r.completed_at), ("completed", Some(7)));
        let mut r = row("paused", 1000);
        apply(&mut r, Move::Resume, 9).unwrap();
        assert_eq!(r.status, "completed", "resuming a full goal completes it");
    }
}
