//! `[plazos]`: the user's answer window and how often the deadline worker looks.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct PlazosConfig {
    /// Business days the user has to answer an information or reclassification request
    /// (Ley 39/2015, art. 68.1: ten).
    pub answer_business_days: u32,
    /// How often each instance looks for reminders to send and deadlines that expired.
    pub poll_seconds: u64,
}

impl Default for PlazosConfig {
    fn default() -> Self {
        PlazosConfig {
            answer_business_days: casia_domain::deadlines::ANSWER_WINDOW_DAYS,
            poll_seconds: 300,
        }
    }
}
