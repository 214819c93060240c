# Regenerates tests/ImageCluster.Tests/Fixtures/diagnostics_r.json: R's cluster::clusGap and cluster::maxSE as the
# oracle of the gap statistic.
#
# Test-time only: needs Debian's r-cran-cluster and r-cran-jsonlite; the product never runs it.
# Reads only tests/ImageCluster.Tests/Fixtures/oracle_data.json (the data every oracle shares).
# Usage: Rscript tools/make_diagnostics_fixtures.R   (from the repository root)
#
# clusGap draws its uniform reference sets and runs kmeans (random starts) inside; neither can be replayed in C#.
# So the clustering function is wrapped to record every matrix it is handed and the labels kmeans returned: the C# test
# feeds those same reference sets and labels back through an injected-clustering overload, and must then reproduce
# logW, E.logW, gap and SE.sim to 1e-6, and maxSE's choice for every method.
suppressPackageStartupMessages({
  library(cluster)
  library(jsonlite)
})

sets <- fromJSON("tests/ImageCluster.Tests/Fixtures/oracle_data.json", simplifyMatrix = TRUE)$sets

gap_case <- function(name, rows, k_max, b, d_power, space, seed) {
  x <- sets[[name]]$x[rows, , drop = FALSE]
  calls <- list()
  recorder <- function(m, k) {
    fit <- kmeans(m, k, nstart = 5, iter.max = 50)
    calls[[length(calls) + 1]] <<- list(x = m, k = k, cluster = as.integer(fit$cluster))
    fit
  }
  set.seed(seed)
  gap <- clusGap(x, FUNcluster = recorder, K.max = k_max, B = b, d.power = d_power, spaceH0 = space, verbose = FALSE)
  tab <- gap$Tab
  # Calls come in clusGap's order: the data for k = 2..K.max, then each reference set for k = 2..K.max
  # (k = 1 needs no clustering). A reference set is the matrix of its first call.
  per_set <- k_max - 1
  labels <- lapply(calls, function(cl) cl$cluster)
  references <- lapply(seq_len(b), function(i) unname(calls[[i * per_set + 1]]$x))
  methods <- c("firstSEmax", "Tibs2001SEmax", "globalSEmax", "firstmax", "globalmax")
  chosen <- setNames(lapply(methods, function(mt) maxSE(tab[, "gap"], tab[, "SE.sim"], method = mt)), methods)
  list(
    name = sprintf("%s_%s_d%d", name, space, d_power), set = name, rows = rows - 1L, k_max = k_max, b = b,
    d_power = d_power, space_h0 = space, seed = seed,
    labels = labels, references = references,
    logW = unname(tab[, "logW"]), E_logW = unname(tab[, "E.logW"]), gap = unname(tab[, "gap"]),
    SE_sim = unname(tab[, "SE.sim"]), chosen = chosen
  )
}

cases <- list(
  gap_case("blobs", seq(1L, 300L, by = 5L), 6L, 5L, 1L, "scaledPCA", 42L),
  gap_case("blobs", seq(1L, 300L, by = 5L), 6L, 5L, 2L, "original", 7L),
  gap_case("blobs_8d", seq(1L, 400L, by = 10L), 5L, 5L, 1L, "original", 3L)
)
# maxSE alone, on gap curves where the five rules disagree.
methods <- c("firstSEmax", "Tibs2001SEmax", "globalSEmax", "firstmax", "globalmax")
curves <- list(
  list(f = c(0.1, 0.5, 0.45, 0.7, 0.72, 0.6), se = c(0.05, 0.05, 0.05, 0.05, 0.05, 0.05)),
  list(f = c(0.2, 0.3, 0.4, 0.5, 0.6), se = c(0.2, 0.2, 0.2, 0.2, 0.2)),
  list(f = c(0.5, 0.4, 0.3), se = c(0.01, 0.01, 0.01)),
  list(f = c(0.1, 0.3, 0.35, 0.33, 0.9, 0.88), se = c(0.01, 0.1, 0.02, 0.01, 0.01, 0.03))
)
max_se <- lapply(curves, function(cv) c(cv, list(chosen = setNames(
  lapply(methods, function(mt) maxSE(cv$f, cv$se, method = mt)), methods))))
out <- list(r = R.version.string, cluster = as.character(packageVersion("cluster")), cases = cases, max_se = max_se)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"),
           "tests/ImageCluster.Tests/Fixtures/diagnostics_r.json")
cat("wrote tests/ImageCluster.Tests/Fixtures/diagnostics_r.json (cluster", as.character(packageVersion("cluster")), ")\n")
