//! How many authorisations, of which sizes, and how many cases each: the load plan.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, TransactionTrait};
use sha2::Digest;

use crate::entity::case;

#[derive(Clone, Debug)]
pub struct LoadPlan {
    pub cases: u64,
    pub authorisations: u32,
    /// Cases are opened over this many months before now.
    pub months: u32,
    /// Skew of authorisation sizes (Zipf exponent): 1.0 gives the largest about 12 % of all
    /// cases with 2 000 authorisations, the smallest a few dozen.
    pub skew: f64,
    pub processors: u32,
    /// Makes the random choices repeatable.
    pub seed: f64,
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan {
            cases: 1_000_000,
            authorisations: 2_000,
            months: 24,
            skew: 1.0,
            processors: 40,
            seed: 0.42,
        }
    }
}

/// One authorisation of the plan: its number, how many cases and how many users it gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedAuthorisation {
    pub rank: u32,
    pub number: String,
    pub cases: u64,
    pub users: u32,
}

/// Number of an authorisation made by the generator (`1000001`, `1000002`, …: never one of
/// the demo's).
pub fn authorisation_number(rank: u32) -> String {
    format!("{:07}", 1_000_000 + rank)
}

/// The first user of an authorisation made by the generator.
pub fn user_name(number: &str, k: u32) -> String {
    format!("bench-{number}-{k}")
}

/// Sizes follow a Zipf law, as agencies do: a few very large, a long tail of small ones.
/// Every authorisation gets at least one case and the sizes add up to exactly `plan.cases`.
pub fn plan_authorisations(plan: &LoadPlan) -> Vec<PlannedAuthorisation> {
    let n = plan.authorisations.max(1);
    let weights: Vec<f64> = (1..=n)
        .map(|r| 1.0 / f64::from(r).powf(plan.skew))
        .collect();
    let total: f64 = weights.iter().sum();
    let spare = plan.cases.saturating_sub(u64::from(n));
    let mut sizes: Vec<u64> = weights
        .iter()
        .map(|w| 1 + (spare as f64 * w / total).floor() as u64)
        .collect();
    let mut missing = plan.cases.saturating_sub(sizes.iter().sum());
    let count = sizes.len();
    let mut i = 0;
    while missing > 0 {
        sizes[i % count] += 1;
        missing -= 1;
        i += 1;
    }
    sizes
        .into_iter()
        .enumerate()
        .map(|(i, cases)| {
            let rank = i as u32 + 1;
            // One user per 2 500 cases, between 1 and 25.
            let users = (1 + cases / 2_500).min(25) as u32;
            PlannedAuthorisation {
                rank,
                number: authorisation_number(rank),
                cases,
                users,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_adds_up_and_is_skewed() {
        let plan = LoadPlan::default();
        let p = plan_authorisations(&plan);
        assert_eq!(p.len(), 2_000);
        assert_eq!(p.iter().map(|a| a.cases).sum::<u64>(), 1_000_000);
        assert!(
            p.iter()
                .all(|a| a.cases >= 1 && (1..=25).contains(&a.users))
        );
        // The largest has over a hundred thousand cases; the median a few hundred.
        assert!(p[0].cases > 100_000, "{}", p[0].cases);
        assert!(p[1_000].cases < 1_000, "{}", p[1_000].cases);
        assert!(p.windows(2).all(|w| w[0].cases >= w[1].cases));
        assert_eq!(p[0].number, "1000001");
    }

    #[test]
    fn small_plans_still_give_every_authorisation_a_case() {
        let plan = LoadPlan {
            cases: 10,
            authorisations: 10,
            ..LoadPlan::default()
        };
        let p = plan_authorisations(&plan);
        assert!(p.iter().all(|a| a.cases == 1));
        let plan = LoadPlan {
            cases: 5,
            authorisations: 10,
            ..LoadPlan::default()
        };
        assert_eq!(
            plan_authorisations(&plan)
                .iter()
                .map(|a| a.cases)
                .sum::<u64>(),
            10
        );
    }
}
