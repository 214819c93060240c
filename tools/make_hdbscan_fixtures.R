# Writes tests/ImageCluster.Tests/Fixtures/hdbscan.json: R's dbscan::hdbscan (Hahsler et al.) on the shared oracle
# data sets, the oracle of ImageCluster's Hdbscan.
#
# Test-time only (Debian r-cran-dbscan 1.1-11 and r-cran-jsonlite); the product never runs it. Re-runnable.
# Usage (from the repository root):
#   Rscript tools/make_hdbscan_fixtures.R
#
# Mapping of the options. R's minPts plays both roles of scikit-learn's HDBSCAN: the core distance is the distance to
# the (minPts - 1)-th nearest *other* point (dbscan::coredist = kNNdist(k = minPts - 1)), i.e. the minPts-th neighbour
# counting the point itself, which is exactly scikit-learn's min_samples; and a split counts only when both sides
# have at least minPts points, which is min_cluster_size. So every case here is
# MinSamples = MinClusterSize = minPts, EOM selection, no epsilon, no single cluster (R 1.1-11 has none of those),
# except a few cases that call the package's own steps with two different values (hdbscan_split below).
#
# Cosine: R's hdbscan is given the dist object of cosine distances 1 - cos(a, b), computed in double from the
# float32-exact inputs, so core distances and merge heights are cosine distances like ours.
suppressMessages({
  library(dbscan)
  library(jsonlite)
})

root <- if (file.exists("tests/ImageCluster.Tests/Fixtures/oracle_data.json")) "." else ".."
sets <- fromJSON(file.path(root, "tests/ImageCluster.Tests/Fixtures/oracle_data.json"))$sets

# 1 - cos(a, b) as half the squared Euclidean distance of the unit rows: the same number, computed without BLAS (whose
# threaded products change the last bits from run to run) and without the cancellation of 1 - a.b for close rows.
cosine_dist <- function(x) {
  unit <- x / sqrt(rowSums(x^2))
  dist(unit)^2 / 2
}

# R's merge matrix (negative = point, positive = earlier merge, 1-based) in scipy's linkage numbering.
scipy_children <- function(merge, n) {
  to_id <- function(v) ifelse(v < 0, -v - 1, n + v - 1)
  cbind(to_id(merge[, 1]), to_id(merge[, 2]))
}

# dbscan::hdbscan with its two roles of minPts apart: min_samples for the core distances, min_cluster_size for the
# cluster tree. The same steps as hdbscan() in dbscan 1.1-11 (which passes one minPts to both).
hdbscan_split <- function(x, min_samples, min_cluster_size) {
  core <- coredist(x, min_samples)
  mst <- dbscan:::prims(mrdist(x, min_samples, coredist = core), nrow(as.matrix(x)))
  hc <- dbscan:::hclustMergeOrder(mst, order(mst[, 3]))
  res <- dbscan:::extractUnsupervised(dbscan:::computeStability(hc, min_cluster_size, compute_glosh = TRUE))
  cl <- attr(res, "cluster")
  prob <- rep(0, length(cl))
  for (cid in attr(res, "salient_clusters")) {
    max_f <- max(core[cl == cid])
    prob[cl == cid] <- (max_f - core[cl == cid]) / max_f
  }
  structure(list(cluster = match(cl, c(0, attr(res, "salient_clusters"))) - 1L, coredist = core,
                 membership_prob = prob, outlier_scores = attr(res, "glosh"), hc = hc), hdbscan = res)
}

cases <- list()
add <- function(set, metric, min_pts, min_cluster_size = min_pts) {
  x <- as.matrix(sets[[set]]$x)
  input <- if (metric == "cosine") cosine_dist(x) else x
  h <- if (min_cluster_size == min_pts) hdbscan(input, minPts = min_pts) else hdbscan_split(input, min_pts, min_cluster_size)
  tree <- attr(h, "hdbscan")
  stability <- sapply(names(tree), function(id) tree[[id]]$stability)
  glosh <- h$outlier_scores
  stopifnot(all(is.finite(glosh)), all(is.finite(h$membership_prob)), all(is.finite(stability[names(stability) != "0"])))
  stability[!is.finite(stability)] <- NA # the root's, when it never splits (0 * Inf in R)
  cases[[length(cases) + 1]] <<- list(
    set = set, metric = metric, min_samples = min_pts, min_cluster_size = min_cluster_size,
    labels = as.integer(h$cluster) - 1L, # R: 0 = noise, 1.. = clusters
    core_distances = as.numeric(h$coredist),
    probabilities = as.numeric(h$membership_prob),
    outlier_scores = as.numeric(glosh),
    merge = scipy_children(h$hc$merge, nrow(x)),
    heights = as.numeric(h$hc$height),
    # Stability of every node of R's cluster tree (0 = root, then in order of creation), for debugging.
    stabilities = I(as.numeric(stability[order(as.integer(names(stability)))]))
  )
}

for (set in c("blobs", "anisotropic", "varied_density", "moons", "ties", "all_noise")) {
  for (m in c(5, 10, 20)) add(set, "euclidean", m)
}
for (set in c("duplicates", "one_cluster", "cnn", "blobs_8d")) {
  for (m in c(4, 8, 15)) {
    add(set, "euclidean", m)
    add(set, "cosine", m)
  }
}
# MinSamples != MinClusterSize through the package's own internals (see hdbscan_split).
add("blobs", "euclidean", 3, 10)
add("varied_density", "euclidean", 10, 5)
add("cnn", "euclidean", 5, 10)
add("cnn", "cosine", 8, 4)
# hdbscan_split reproduces hdbscan() itself:
stopifnot(identical(hdbscan_split(as.matrix(sets$moons$x), 5, 5)$cluster, hdbscan(as.matrix(sets$moons$x), 5)$cluster))

out <- file.path(root, "tests/ImageCluster.Tests/Fixtures/hdbscan.json")
doc <- list(r_dbscan = as.character(packageVersion("dbscan")), cases = cases)
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, matrix = "rowmajor", na = "null"), out)
cat(sprintf("wrote %s: %d cases (dbscan %s)\n", out, length(cases), packageVersion("dbscan")))
