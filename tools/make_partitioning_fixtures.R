# Regenerates tests/ImageCluster.Tests/Fixtures/partitioning_r.json with R's cluster::pam as the K-Medoids oracle:
# BUILD alone (do.swap = FALSE), BUILD + SWAP (the classic PAM), SWAP from given medoids, and FasterPAM (pamonce = 6),
# Euclidean on the raw rows and cosine through a dissimilarity object of 1 - cos.
#
# Test-time only: needs r-cran-cluster (2.1.4) and r-cran-jsonlite; the product never runs it. Reads the shared data
# sets from oracle_data.json (tools/make_oracle_data.py) and writes only partitioning_r.json.
# Usage: Rscript tools/make_partitioning_fixtures.R
suppressPackageStartupMessages({
  library(cluster)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- normalizePath(sub("^--file=", "", args[grep("^--file=", args)]))
fixtures <- file.path(dirname(dirname(script)), "tests", "ImageCluster.Tests", "Fixtures")
sets <- fromJSON(file.path(fixtures, "oracle_data.json"), simplifyVector = TRUE)$sets

cosine_dissimilarity <- function(x) {
  unit <- x / sqrt(rowSums(x^2))
  d <- 1 - tcrossprod(unit)
  diag(d) <- 0
  as.dist(pmax(d, 0))
}

# One pam() call and what the tests compare: 0-based medoid indices, the partition, R's objective (mean distance
# after BUILD and after SWAP) and the objective recomputed as the plain sum of distances to the assigned medoid.
run <- function(set, k, metric, method, given = NULL) {
  x <- sets[[set]]$x
  d <- if (metric == "cosine") cosine_dissimilarity(x) else dist(x)
  pamonce <- if (method == "fasterpam") 6 else 0
  swap <- method != "build"
  medoids <- if (is.null(given)) NULL else as.integer(given + 1)
  fit <- if (metric == "cosine") {
    pam(d, k, diss = TRUE, medoids = medoids, do.swap = swap, pamonce = pamonce)
  } else {
    pam(x, k, diss = FALSE, metric = "euclidean", medoids = medoids, do.swap = swap, pamonce = pamonce)
  }
  full <- as.matrix(d)
  assigned <- fit$id.med[fit$clustering]
  list(set = set, k = k, metric = metric, method = method,
       given = if (is.null(given)) NULL else I(as.integer(given)),
       medoids = I(as.integer(fit$id.med - 1)), labels = I(as.integer(fit$clustering - 1)),
       objective_build = unname(fit$objective["build"]), objective_swap = unname(fit$objective["swap"]),
       objective_sum = sum(full[cbind(seq_len(nrow(full)), assigned)]))
}

euclidean <- list(list("blobs", 4), list("anisotropic", 3), list("varied_density", 3), list("moons", 2),
                  list("duplicates", 3), list("one_cluster", 3), list("one_cluster", 1), list("blobs_8d", 5),
                  list("cnn", 10))
cosine <- list(list("blobs_8d", 5), list("cnn", 10))
given <- list(list("blobs", 4, c(0L, 1L, 2L, 3L)), list("moons", 2, c(10L, 20L)),
              list("cnn", 10, c(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L)), list("duplicates", 3, c(0L, 60L, 90L)))

cases <- list()
for (method in c("build", "pam", "fasterpam")) {
  for (s in euclidean) cases[[length(cases) + 1]] <- run(s[[1]], s[[2]], "euclidean", method)
  for (s in cosine) cases[[length(cases) + 1]] <- run(s[[1]], s[[2]], "cosine", method)
}
for (method in c("pam", "fasterpam")) {
  for (s in given) cases[[length(cases) + 1]] <- run(s[[1]], s[[2]], "euclidean", method, s[[3]])
  cases[[length(cases) + 1]] <- run("cnn", 10, "cosine", method, c(0L, 20L, 40L, 60L, 80L, 100L, 120L, 140L, 160L, 180L))
}

out <- file.path(fixtures, "partitioning_r.json")
writeLines(toJSON(list(cluster = as.character(packageVersion("cluster")), cases = cases),
                  auto_unbox = TRUE, digits = NA, null = "null"), out)
cat(sprintf("wrote %s: %d pam() cases (cluster %s)\n", out, length(cases), packageVersion("cluster")))
