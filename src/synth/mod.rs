//! Synth (placeholder while the template tools come first).
#[derive(clap::Args)]
pub struct SynthArgs {}
pub fn run(_a: &SynthArgs) -> anyhow::Result<()> {
    anyhow::bail!("synth not built yet")
}
