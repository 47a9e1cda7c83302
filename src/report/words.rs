//! The words of a report in the organisation's language: Swedish, else English. A report is a
//! document for the organisation and its management team, so it speaks their language; JSON
//! and CSV keys stay English for the machines that read them.

use crate::report::Status;
use crate::strategy::{Metric, Period};

pub(crate) struct Words {
    pub lang: &'static str,
    pub title: &'static str,
    pub period: &'static str,
    pub previous: &'static str,
    pub goals: &'static str,
    pub goal: &'static str,
    pub kpi: &'static str,
    pub target: &'static str,
    pub actual: &'static str,
    pub status: &'static str,
    pub posts: &'static str,
    pub with_data: &'static str,
    pub change: &'static str,
    pub no_kpi: &'static str,
    pub top: &'static str,
    pub bottom: &'static str,
    pub totals: &'static str,
    pub by_platform: &'static str,
    pub by_audience: &'static str,
    pub by_kind: &'static str,
    pub by_lang: &'static str,
    pub by_image: &'static str,
    pub by_thread: &'static str,
    pub by_slot: &'static str,
    pub best_slots: &'static str,
    pub group: &'static str,
    pub reach: &'static str,
    pub views: &'static str,
    pub interactions: &'static str,
    pub engagement: &'static str,
    pub no_data: &'static str,
    pub weekday: &'static str,
    pub hour: &'static str,
    pub pairs: &'static str,
    pub weekdays: [&'static str; 7],
    pub nothing: &'static str,
    pub chart_goals: &'static str,
    pub chart_platforms: &'static str,
    pub chart_slots: &'static str,
    pub percent_of_target: &'static str,
    pub with_image: &'static str,
    pub without_image: &'static str,
    pub thread: &'static str,
    pub single: &'static str,
    pub of: &'static str,
    pub table_note: &'static str,
    pub date: &'static str,
}

const SV: Words = Words {
    lang: "sv",
    title: "Resultat",
    period: "Period",
    previous: "jämfört med",
    goals: "Mål",
    goal: "Mål",
    kpi: "Nyckeltal",
    target: "Målvärde",
    actual: "Utfall",
    status: "Status",
    posts: "Inlägg",
    with_data: "med data",
    change: "Förändring",
    no_kpi: "inget nyckeltal",
    top: "Bäst",
    bottom: "Svagast",
    totals: "Totalt",
    by_platform: "Per kanal",
    by_audience: "Per målgrupp",
    by_kind: "Per typ av inlägg",
    by_lang: "Per språk",
    by_image: "Med och utan bild",
    by_thread: "Tråd eller enskilt inlägg",
    by_slot: "Engagemang per veckodag och timme",
    best_slots: "Bästa tiderna per kanal",
    group: "Grupp",
    reach: "Räckvidd",
    views: "Visningar",
    interactions: "Interaktioner",
    engagement: "Engagemang",
    no_data: "ingen data",
    weekday: "Veckodag",
    hour: "Timme",
    pairs: "Publiceringar",
    weekdays: ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
    nothing: "Inga inlägg med data under perioden.",
    chart_goals: "Mål: utfall i procent av målvärdet",
    chart_platforms: "Engagemang per kanal",
    chart_slots: "Engagemang per veckodag och timme",
    percent_of_target: "av målvärdet",
    with_image: "med bild",
    without_image: "utan bild",
    thread: "tråd",
    single: "enskilt inlägg",
    of: "av",
    table_note: "Samma siffror som i diagrammet.",
    date: "Publicerat",
};

const EN: Words = Words {
    lang: "en",
    title: "Results",
    period: "Period",
    previous: "compared with",
    goals: "Goals",
    goal: "Goal",
    kpi: "KPI",
    target: "Target",
    actual: "Actual",
    status: "Status",
    posts: "Posts",
    with_data: "with data",
    change: "Change",
    no_kpi: "no KPI",
    top: "Best",
    bottom: "Weakest",
    totals: "Totals",
    by_platform: "By platform",
    by_audience: "By audience",
    by_kind: "By kind of post",
    by_lang: "By language",
    by_image: "With and without image",
    by_thread: "Thread or single post",
    by_slot: "Engagement by weekday and hour",
    best_slots: "Best times per platform",
    group: "Group",
    reach: "Reach",
    views: "Views",
    interactions: "Interactions",
    engagement: "Engagement",
    no_data: "no data",
    weekday: "Weekday",
    hour: "Hour",
    pairs: "Publications",
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    nothing: "No posts with data in the period.",
    chart_goals: "Goals: actual as a percentage of the target",
    chart_platforms: "Engagement by platform",
    chart_slots: "Engagement by weekday and hour",
    percent_of_target: "of target",
    with_image: "with image",
    without_image: "without image",
    thread: "thread",
    single: "single post",
    of: "of",
    table_note: "The same figures as the chart.",
    date: "Published",
};

impl Words {
    pub(crate) fn of(lang: &str) -> &'static Words {
        if lang.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case("sv")) { &SV } else { &EN }
    }

    pub(crate) fn status(&self, s: Status) -> &'static str {
        let sv = self.lang == "sv";
        match s {
            Status::Met => {
                if sv {
                    "nått"
                } else {
                    "met"
                }
            }
            Status::NotMet => {
                if sv {
                    "inte nått"
                } else {
                    "not met"
                }
            }
            Status::InProgress => {
                if sv {
                    "pågår, inte nått än"
                } else {
                    "in progress, not met yet"
                }
            }
            Status::NoData => {
                if sv {
                    "ingen data"
                } else {
                    "no data"
                }
            }
            Status::NoPosts => {
                if sv {
                    "inga inlägg"
                } else {
                    "no posts"
                }
            }
            Status::NoKpi => {
                if sv {
                    "inget nyckeltal"
                } else {
                    "no KPI"
                }
            }
        }
    }

    pub(crate) fn metric(&self, m: Metric) -> &'static str {
        let sv = self.lang == "sv";
        match m {
            Metric::Engagement => self.engagement,
            Metric::Interactions => self.interactions,
            Metric::Reach => self.reach,
            Metric::Views => self.views,
            Metric::Likes => {
                if sv {
                    "gilla-markeringar"
                } else {
                    "likes"
                }
            }
            Metric::Reposts => {
                if sv {
                    "delningar (reposts)"
                } else {
                    "reposts"
                }
            }
            Metric::Replies => {
                if sv {
                    "svar"
                } else {
                    "replies"
                }
            }
            Metric::Quotes => {
                if sv {
                    "citat"
                } else {
                    "quotes"
                }
            }
            Metric::Clicks => {
                if sv {
                    "klick"
                } else {
                    "clicks"
                }
            }
            Metric::Saves => {
                if sv {
                    "sparningar"
                } else {
                    "saves"
                }
            }
            Metric::Shares => {
                if sv {
                    "delningar"
                } else {
                    "shares"
                }
            }
            Metric::Followers => {
                if sv {
                    "följare"
                } else {
                    "followers"
                }
            }
        }
    }

    pub(crate) fn per(&self, p: Period) -> &'static str {
        let sv = self.lang == "sv";
        match p {
            Period::Week => {
                if sv {
                    "per vecka"
                } else {
                    "per week"
                }
            }
            Period::Month => {
                if sv {
                    "per månad"
                } else {
                    "per month"
                }
            }
            Period::Quarter => {
                if sv {
                    "per kvartal"
                } else {
                    "per quarter"
                }
            }
            Period::Year => {
                if sv {
                    "per år"
                } else {
                    "per year"
                }
            }
        }
    }

    /// A group key as a person reads it: a platform's own name, the words for the pairs.
    pub(crate) fn key(&self, key: &str) -> String {
        match key {
            "with_image" => self.with_image.into(),
            "without_image" => self.without_image.into(),
            "thread" => self.thread.into(),
            "single" => self.single.into(),
            other => {
                other.parse::<crate::platform::PlatformId>().map_or(other.to_string(), |p| p.display_name().into())
            }
        }
    }

    /// A number as this language writes it: `12 345`, `3,4 %` in Swedish.
    pub(crate) fn int(&self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(if self.lang == "sv" { '\u{a0}' } else { ',' });
            }
            out.push(c);
        }
        out
    }

    pub(crate) fn pct(&self, share: f64) -> String {
        self.decimal(share * 100.0, 1) + if self.lang == "sv" { "\u{a0}%" } else { "%" }
    }

    pub(crate) fn decimal(&self, v: f64, places: usize) -> String {
        let s = format!("{v:.places$}");
        if self.lang == "sv" { s.replace('.', ",").replace('-', "−") } else { s }
    }

    /// A change in per cent with its sign, or a dash.
    pub(crate) fn change(&self, c: Option<f64>) -> String {
        match c {
            Some(c) => {
                let sign = if c > 0.0 { "+" } else { "" };
                format!("{sign}{}{}", self.decimal(c, 0), if self.lang == "sv" { "\u{a0}%" } else { "%" })
            }
            None => "–".into(),
        }
    }

    /// A KPI value: a share for engagement, a whole number for counts.
    pub(crate) fn value(&self, metric: Metric, v: Option<f64>) -> String {
        match v {
            None => self.no_data.into(),
            Some(v) if metric.is_rate() => self.pct(v),
            Some(v) => self.int(v.round() as u64),
        }
    }
}
