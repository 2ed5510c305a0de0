# OpenEmbedded's cargo-update-recipe-crates adds a task, run by hand (bitbake -c update_crates), that
# rewrites the recipe's ${BPN}-crates.inc from Cargo.lock. It takes no part in a build, and pyrecipe
# has no such task: inheriting it does nothing (the crates.inc the recipe requires is read as it is).
