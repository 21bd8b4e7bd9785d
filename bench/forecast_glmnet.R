# Early Warning Project back-test with R's glmnet, for timing against
# `vigil forecast backtest` on the same machine (see docs/forecast.md).
#
#   Rscript bench/forecast_glmnet.R DATA.csv [OUT.csv]
#
# For each last training year L = 1991..2021: complete-case rows with
# year <= L, cv.glmnet(family = "binomial", alpha = 0.5) with 10 folds drawn
# after set.seed(90035), predictions at lambda.min for the complete rows of
# year L + 2. Prints the elapsed time of the 31 fits (reading the CSV
# excluded) and the back-test figures.
suppressMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript forecast_glmnet.R DATA.csv [OUT.csv]")
d <- read.csv(args[1], check.names = FALSE)
vars <- c("widetargeting", "narrowtargeting", "v2csgender_binary", "v2mecenefm_binary",
  "partyban.new.0", "partyban.new.1", "partyban.new.2", "minorityrule", "judicialreform",
  "religiousfreedom", "pol_killing_approved", "freediscussion", "social_inequality",
  "even_civilrights", "repress_civilsoc", "social_power_dist", "ses_power_dist",
  "popsize.log2", "gdppcgrowth", "un_imr_sqrt", "efindex", "discrimpop", "reg.na",
  "reg.eap", "reg.sca", "reg.mna", "reg.eur", "ios.iccpr1", "battledeaths.log2",
  "coup.try.5yr", "mk_ongoing_count_log2", "mean_mk_onset_interaction",
  "mk_onset_prev_year", "newcountry", "mk_ever", "year_sq", "year",
  "countryage.new.log2", "includesnonstate")
outcomes <- c("mk_onset_1or2", "mk_onset", "mk_onset_1", "mk_onset_2")

start <- proc.time()[["elapsed"]]
scores <- list()
for (L in 1991:2021) {
  tr <- d[d$year <= L, ]
  tr <- tr[complete.cases(tr[, c(vars, outcomes)]), ]
  set.seed(90035)
  cv <- cv.glmnet(as.matrix(tr[, vars]), tr$mk_onset_1or2, family = "binomial", alpha = 0.5)
  te <- d[d$year == L + 2, ]
  te <- te[complete.cases(te[, vars]), ]
  risk <- as.vector(predict(cv, as.matrix(te[, vars]), s = "lambda.min", type = "response"))
  scores[[length(scores) + 1]] <- data.frame(ewp_name = te$ewp_name, year = L + 2,
    risk = risk, rank = rank(-risk, ties.method = "min"))
}
elapsed <- proc.time()[["elapsed"]] - start
s <- do.call(rbind, scores)

# Each country-year Y is covered by the forecasts made from Y-1 and Y-2.
ev <- d[d$year >= 1994 & d$year <= 2024, c("ewp_name", "year", "mk_onset")]
k1 <- match(paste(ev$ewp_name, ev$year - 1), paste(s$ewp_name, s$year))
k2 <- match(paste(ev$ewp_name, ev$year - 2), paste(s$ewp_name, s$year))
ev$maxrisk2 <- pmax(s$risk[k1], s$risk[k2], na.rm = TRUE)
ev$minrank2 <- pmin(s$rank[k1], s$rank[k2], na.rm = TRUE)
on <- ev$mk_onset == 1
sc <- ev[!is.na(ev$maxrisk2) & !is.na(ev$mk_onset), ]
r <- rank(sc$maxrisk2)
npos <- sum(sc$mk_onset == 1); nneg <- sum(sc$mk_onset == 0)
auc <- (sum(r[sc$mk_onset == 1]) - npos * (npos + 1) / 2) / (npos * nneg)
top30 <- sum(on & !is.na(ev$minrank2) & ev$minrank2 <= 30, na.rm = TRUE)
cat(sprintf("glmnet %s back-test: 31 fits in %.2f s; AUC %.4f; %d/%d onsets in the top 30\n",
  packageVersion("glmnet"), elapsed, auc, top30, sum(on, na.rm = TRUE)))
if (length(args) >= 2) write.csv(s, args[2], row.names = FALSE)
