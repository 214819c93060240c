# R's side of `ImageCluster.Bench partitioning DIR`: cluster::pam (BUILD + SWAP, and FasterPAM = pamonce 6) on the
# 5000 x 64 float32 file that command wrote. Benchmark only (r-cran-cluster).
# Usage: Rscript bench/partitioning_peer.R DIR
suppressPackageStartupMessages(library(cluster))
folder <- commandArgs(trailingOnly = TRUE)[1]
con <- file(file.path(folder, "blobs_5000x64.f32"), "rb")
x <- matrix(readBin(con, "numeric", n = 5000 * 64, size = 4), nrow = 5000, byrow = TRUE)
close(con)
for (p in c(6, 0)) {
  t <- system.time(fit <- pam(x, 50, pamonce = p))
  cat(sprintf("R pam(pamonce = %d) from BUILD (5000 x 64, k = 50): %.2f s wall, %.2f s CPU, objective %.4f\n",
              p, t[["elapsed"]], t[["user.self"]] + t[["sys.self"]], fit$objective[["swap"]] * nrow(x)))
}
