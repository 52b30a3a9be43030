//! The one category vocabulary: 22 transaction categories, each mapped to exactly one plan
//! category by [`TxCategory::plan`] — used everywhere (accrual, budget status, affordability,
//! dashboard).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A transaction's category, as the app records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxCategory {
    Food,
    Dining,
    Groceries,
    Transportation,
    Gas,
    PublicTransport,
    Entertainment,
    Shopping,
    Clothing,
    Healthcare,
    Insurance,
    Utilities,
    Rent,
    Mortgage,
    Education,
    Childcare,
    Pets,
    Travel,
    Subscriptions,
    Gifts,
    Charity,
    Other,
}

/// A category of the daily plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanCategory {
    Food,
    Transportation,
    Healthcare,
    Entertainment,
    Shopping,
    Travel,
    Other,
    Rent,
    Mortgage,
    Utilities,
    Insurance,
    Subscriptions,
    Education,
    Childcare,
    /// Fixed loan and car payments (the app's `loan_payment`, `car_payment`) and installments.
    DebtPayments,
    GoalSavings,
}

/// How a plan category behaves under redistribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Gives last (food, transportation, healthcare).
    Protected,
    /// Gives first (entertainment, travel).
    Discretionary,
    /// Gives second (shopping, other).
    Flexible,
    /// Never gives (fixed expenses, goal savings).
    Sacred,
}

impl TxCategory {
    pub const ALL: [TxCategory; 22] = [
        TxCategory::Food,
        TxCategory::Dining,
        TxCategory::Groceries,
        TxCategory::Transportation,
        TxCategory::Gas,
        TxCategory::PublicTransport,
        TxCategory::Entertainment,
        TxCategory::Shopping,
        TxCategory::Clothing,
        TxCategory::Healthcare,
        TxCategory::Insurance,
        TxCategory::Utilities,
        TxCategory::Rent,
        TxCategory::Mortgage,
        TxCategory::Education,
        TxCategory::Childcare,
        TxCategory::Pets,
        TxCategory::Travel,
        TxCategory::Subscriptions,
        TxCategory::Gifts,
        TxCategory::Charity,
        TxCategory::Other,
    ];

    /// The plan category a spend of this category lands on.
    pub fn plan(self) -> PlanCategory {
        use TxCategory as T;
        match self {
            T::Food | T::Groceries | T::Dining => PlanCategory::Food,
            T::Transportation | T::Gas | T::PublicTransport => PlanCategory::Transportation,
            T::Healthcare => PlanCategory::Healthcare,
            T::Entertainment => PlanCategory::Entertainment,
            T::Shopping | T::Clothing | T::Gifts | T::Pets => PlanCategory::Shopping,
            T::Travel => PlanCategory::Travel,
            T::Other | T::Charity => PlanCategory::Other,
            T::Rent => PlanCategory::Rent,
            T::Mortgage => PlanCategory::Mortgage,
            T::Utilities => PlanCategory::Utilities,
            T::Insurance => PlanCategory::Insurance,
            T::Subscriptions => PlanCategory::Subscriptions,
            T::Education => PlanCategory::Education,
            T::Childcare => PlanCategory::Childcare,
        }
    }

    pub fn as_str(self) -> &'static str {
        use TxCategory as T;
        match self {
            T::Food => "food",
            T::Dining => "dining",
            T::Groceries => "groceries",
            T::Transportation => "transportation",
            T::Gas => "gas",
            T::PublicTransport => "public_transport",
            T::Entertainment => "entertainment",
            T::Shopping => "shopping",
            T::Clothing => "clothing",
            T::Healthcare => "healthcare",
            T::Insurance => "insurance",
            T::Utilities => "utilities",
            T::Rent => "rent",
            T::Mortgage => "mortgage",
            T::Education => "education",
            T::Childcare => "childcare",
            T::Pets => "pets",
            T::Travel => "travel",
            T::Subscriptions => "subscriptions",
            T::Gifts => "gifts",
            T::Charity => "charity",
            T::Other => "other",
        }
    }
}

impl FromStr for TxCategory {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim().to_ascii_lowercase();
        TxCategory::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

impl fmt::Display for TxCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PlanCategory {
    pub const ALL: [PlanCategory; 16] = [
        PlanCategory::Food,
        PlanCategory::Transportation,
        PlanCategory::Healthcare,
        PlanCategory::Entertainment,
        PlanCategory::Shopping,
        PlanCategory::Travel,
        PlanCategory::Other,
        PlanCategory::Rent,
        PlanCategory::Mortgage,
        PlanCategory::Utilities,
        PlanCategory::Insurance,
        PlanCategory::Subscriptions,
        PlanCategory::Education,
        PlanCategory::Childcare,
        PlanCategory::DebtPayments,
        PlanCategory::GoalSavings,
    ];

    /// Donor order for redistribution: discretionary, then flexible, then protected.
    pub const DONOR_ORDER: [PlanCategory; 7] = [
        PlanCategory::Entertainment,
        PlanCategory::Travel,
        PlanCategory::Shopping,
        PlanCategory::Other,
        PlanCategory::Food,
        PlanCategory::Transportation,
        PlanCategory::Healthcare,
    ];

    pub fn kind(self) -> Kind {
        use PlanCategory as P;
        match self {
            P::Food | P::Transportation | P::Healthcare => Kind::Protected,
            P::Entertainment | P::Travel => Kind::Discretionary,
            P::Shopping | P::Other => Kind::Flexible,
            _ => Kind::Sacred,
        }
    }

    pub fn is_sacred(self) -> bool {
        self.kind() == Kind::Sacred
    }

    /// The plan category a fixed-expense key names (onboarding, the calendar shell): a sacred
    /// category other than goal savings, or one of the mobile app's own options: `internet`
    /// (into utilities), `car_payment` and `loan_payment` (into debt payments). BUDGET.md §2.
    pub fn from_fixed_expense_key(key: &str) -> Option<PlanCategory> {
        match key.trim().to_ascii_lowercase().as_str() {
            "internet" => Some(PlanCategory::Utilities),
            "car_payment" | "loan_payment" => Some(PlanCategory::DebtPayments),
            other => other
                .parse::<PlanCategory>()
                .ok()
                .filter(|c| c.is_sacred() && *c != PlanCategory::GoalSavings),
        }
    }

    /// What a refused fixed-expense key is told.
    pub const FIXED_EXPENSE_KEYS: &'static str = "keys must be one of rent, mortgage, utilities, internet, insurance, subscriptions, education, childcare, car_payment, loan_payment, debt_payments";

    /// The transaction categories that land on this plan category.
    pub fn tx_categories(self) -> impl Iterator<Item = TxCategory> {
        TxCategory::ALL
            .into_iter()
            .filter(move |t| t.plan() == self)
    }

    pub fn as_str(self) -> &'static str {
        use PlanCategory as P;
        match self {
            P::Food => "food",
            P::Transportation => "transportation",
            P::Healthcare => "healthcare",
            P::Entertainment => "entertainment",
            P::Shopping => "shopping",
            P::Travel => "travel",
            P::Other => "other",
            P::Rent => "rent",
            P::Mortgage => "mortgage",
            P::Utilities => "utilities",
            P::Insurance => "insurance",
            P::Subscriptions => "subscriptions",
            P::Education => "education",
            P::Childcare => "childcare",
            P::DebtPayments => "debt_payments",
            P::GoalSavings => "goal_savings",
        }
    }
}

impl FromStr for PlanCategory {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim().to_ascii_lowercase();
        PlanCategory::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

impl fmt::Display for PlanCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transaction_category_maps_to_exactly_one_plan_category() {
        for t in TxCategory::ALL {
            let plan = t.plan();
            assert_ne!(
                plan,
                PlanCategory::GoalSavings,
                "nothing is spent into goal savings"
            );
            let owners: Vec<_> = PlanCategory::ALL
                .iter()
                .filter(|p| p.tx_categories().any(|x| x == t))
                .collect();
            assert_eq!(owners, vec![&plan]);
            assert_eq!(t.as_str().parse::<TxCategory>(), Ok(t));
        }
        assert_eq!(
            "dining".parse::<TxCategory>().unwrap().plan(),
            PlanCategory::Food
        );
        assert_eq!(
            "gifts".parse::<TxCategory>().unwrap().plan(),
            PlanCategory::Shopping
        );
        assert!("groceries_and_more".parse::<TxCategory>().is_err());
    }

    #[test]
    fn fixed_expense_keys_are_the_sacred_categories_and_the_apps_own_options() {
        let key = PlanCategory::from_fixed_expense_key;
        assert_eq!(key("internet"), Some(PlanCategory::Utilities));
        assert_eq!(key("car_payment"), Some(PlanCategory::DebtPayments));
        assert_eq!(key("Loan_Payment"), Some(PlanCategory::DebtPayments));
        assert_eq!(key("debt_payments"), Some(PlanCategory::DebtPayments));
        assert_eq!(key("rent"), Some(PlanCategory::Rent));
        assert_eq!(key("goal_savings"), None);
        assert_eq!(key("food"), None);
        assert_eq!(key("rent_or_mortgage"), None);
        assert!(PlanCategory::DebtPayments.is_sacred());
    }
}
