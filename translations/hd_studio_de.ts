<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>hdui::BlockGridView</name>
    <message>
        <source>%1×%2 · tile %3 · %4/%5</source>
        <translation>%1×%2 · Kachel %3 · %4/%5</translation>
    </message>
    <message>
        <source>Show the image underneath</source>
        <translation>Bild darunter zeigen</translation>
    </message>
    <message>
        <source>No block grid yet. Partial steps compute only the tiles the mask touches; they appear here after the collection step.</source>
        <translation>Noch kein Blockraster. Partielle Schritte berechnen nur die Kacheln, die die Maske berührt; sie erscheinen hier nach dem Erfassungsschritt.</translation>
    </message>
    <message>
        <source>Active tiles %1 of %2 (%3%) · predicted MACs of a partial step: %4% of dense</source>
        <translation>Aktive Kacheln %1 von %2 (%3 %) · vorhergesagte MACs eines partiellen Schritts: %4 % von dicht</translation>
    </message>
    <message>
        <source>Step %1: partial, %2 of %3 tiles computed, %4% of dense MACs</source>
        <translation>Schritt %1: partiell, %2 von %3 Kacheln berechnet, %4 % der dichten MACs</translation>
    </message>
    <message>
        <source>Step %1: full, every tile computed</source>
        <translation>Schritt %1: voll, alle Kacheln berechnet</translation>
    </message>
</context>
<context>
    <name>hdui::EngineWorker</name>
    <message>
        <source>Stopped before it started.</source>
        <translation>Vor dem Start gestoppt.</translation>
    </message>
    <message>
        <source>No model is loaded. Choose a model first.</source>
        <translation>Kein Modell geladen. Wählen Sie zuerst ein Modell.</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>Kein Modell geladen.</translation>
    </message>
</context>
<context>
    <name>hdui::GenerationPanel</name>
    <message>
        <source>No seed used yet.</source>
        <translation>Noch kein Seed verwendet.</translation>
    </message>
    <message>
        <source>Used seed: &lt;b&gt;%1&lt;/b&gt; · &lt;a href=&quot;keep&quot;&gt;keep it&lt;/a&gt;</source>
        <translation>Verwendeter Seed: &lt;b&gt;%1&lt;/b&gt; · &lt;a href=&quot;keep&quot;&gt;beibehalten&lt;/a&gt;</translation>
    </message>
    <message>
        <source>&amp;Prompt</source>
        <translation>&amp;Prompt</translation>
    </message>
    <message>
        <source>&amp;Negative prompt</source>
        <translation>&amp;Negativer Prompt</translation>
    </message>
    <message>
        <source>Describe the image, e.g. “a red star above a blue house”</source>
        <translation>Beschreiben Sie das Bild, z. B. „a red star above a blue house“</translation>
    </message>
    <message>
        <source>What to avoid (optional)</source>
        <translation>Was vermieden werden soll (optional)</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Zufällig</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>Fest</translation>
    </message>
    <message>
        <source>Reuse last</source>
        <translation>Letzten wiederverwenden</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>Guidance</translation>
    </message>
    <message>
        <source>Classifier-free guidance scale; 1 or less turns it off</source>
        <translation>Stärke der Classifier-free Guidance; 1 oder weniger schaltet sie aus</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>The model&apos;s default size</source>
        <translation>Standardgröße des Modells</translation>
    </message>
    <message>
        <source>Denoising steps</source>
        <translation>Entrauschungsschritte</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>Sampler</translation>
    </message>
    <message>
        <source>DDIM: the paper&apos;s sampler. DPM++ 2M (DPM-Solver++): a second-order solver, nearer the fully converged image than DDIM in as many steps (20 to 30 steps). DPM++ 2M Karras: the same on Karras et al.&apos;s noise levels, for SD 1.x-style models; on zero-terminal-SNR models such as the embedded one it spends most steps at the highest noise.</source>
        <translation>DDIM: der Sampler des Papers. DPM++ 2M (DPM-Solver++): ein Löser zweiter Ordnung, bei gleicher Schrittzahl näher am vollständig konvergierten Bild als DDIM (20 bis 30 Schritte). DPM++ 2M Karras: derselbe Löser auf den Rauschstufen von Karras et al., für Modelle nach Art von SD 1.x; bei Modellen mit Zero-Terminal-SNR wie dem eingebetteten verbringt er die meisten Schritte beim höchsten Rauschen.</translation>
    </message>
</context>
<context>
    <name>hdui::HeatmapGrid</name>
    <message>
        <source>start</source>
        <translation>Anfang</translation>
    </message>
    <message>
        <source>end</source>
        <translation>Ende</translation>
    </message>
    <message>
        <source>%1 — variance %2 · sum %3 · max %4</source>
        <translation>%1 — Varianz %2 · Summe %3 · Max. %4</translation>
    </message>
    <message>
        <source>No attention maps yet. They are captured at the collection step.</source>
        <translation>Noch keine Attention-Karten. Sie werden im Erfassungsschritt aufgezeichnet.</translation>
    </message>
    <message>
        <source>Each map scaled to its own range (dark: low, bright: high); green dot: noun candidate.</source>
        <translation>Jede Karte auf ihren eigenen Bereich skaliert (dunkel: niedrig, hell: hoch); grüner Punkt: Substantiv-Kandidat.</translation>
    </message>
</context>
<context>
    <name>hdui::HighlightPanel</name>
    <message>
        <source>Highlight Diffusion</source>
        <translation>Highlight Diffusion</translation>
    </message>
    <message>
        <source>Recompute only the highlighted token&apos;s region in partial steps</source>
        <translation>In partiellen Schritten nur den Bereich des hervorgehobenen Tokens neu berechnen</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>Schwellwert</translation>
    </message>
    <message>
        <source>On the token&apos;s map scaled to 0..255: higher gives a smaller mask. After a run, moving it re-masks the stored maps at once.</source>
        <translation>Auf der auf 0..255 skalierten Karte des Tokens: höher ergibt eine kleinere Maske. Nach einem Lauf wird beim Verschieben sofort aus den gespeicherten Karten neu maskiert.</translation>
    </message>
    <message>
        <source>Collect maps at</source>
        <translation>Karten erfassen bei</translation>
    </message>
    <message>
        <source>Fraction of the steps before the cross-attention maps are captured</source>
        <translation>Anteil der Schritte, bevor die Cross-Attention-Karten aufgezeichnet werden</translation>
    </message>
    <message>
        <source>Selection statistic</source>
        <translation>Auswahlstatistik</translation>
    </message>
    <message>
        <source>Variance</source>
        <translation>Varianz</translation>
    </message>
    <message>
        <source>Sum</source>
        <translation>Summe</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Maximum</translation>
    </message>
    <message>
        <source>How the automatic choice ranks the noun candidates&apos; maps</source>
        <translation>Wie die automatische Wahl die Karten der Substantiv-Kandidaten ordnet</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Automatic (nouns)</source>
        <translation>Automatisch (Substantive)</translation>
    </message>
    <message>
        <source>Manual</source>
        <translation>Manuell</translation>
    </message>
    <message>
        <source>words, comma-separated</source>
        <translation>Wörter, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>Minimum region</source>
        <translation>Mindestbereich</translation>
    </message>
    <message>
        <source>Refinement drops mask regions smaller than this part of the image</source>
        <translation>Die Verfeinerung entfernt Maskenbereiche, die kleiner als dieser Teil des Bildes sind</translation>
    </message>
    <message>
        <source>Attention maps</source>
        <translation>Aufmerksamkeitskarten</translation>
    </message>
    <message>
        <source>The cross-attention layers whose maps pick the region, by the size of their feature map. Finer maps follow the object&apos;s outline; coarser ones are smoother. Applies to the next run.</source>
        <translation>Die Cross-Attention-Schichten, deren Karten den Bereich wählen, nach der Größe ihrer Merkmalskarte. Feinere Karten folgen dem Umriss des Objekts, gröbere sind glatter. Gilt ab dem nächsten Lauf.</translation>
    </message>
    <message>
        <source>Maps of the layers at 1/%1 of the latent&apos;s size</source>
        <translation>Karten der Schichten bei 1/%1 der Größe des Latents</translation>
    </message>
    <message>
        <source>Refresh the mask at full steps</source>
        <translation>Maske bei vollen Schritten erneuern</translation>
    </message>
    <message>
        <source>Compare with dense</source>
        <translation>Mit dicht vergleichen</translation>
    </message>
    <message>
        <source>Also run every step dense with the same seed, and show both images, their PSNR and the speedup</source>
        <translation>Zusätzlich alle Schritte dicht mit demselben Seed rechnen und beide Bilder, ihren PSNR und die Beschleunigung zeigen</translation>
    </message>
    <message>
        <source>a full step every %1 steps</source>
        <translation>alle %1 Schritte ein voller Schritt</translation>
    </message>
    <message>
        <source>Full-step interval</source>
        <translation>Vollschritt-Intervall</translation>
    </message>
    <message>
        <source>The words to highlight. Double-click a word in the token strip to add or remove it.</source>
        <translation>Die hervorzuhebenden Wörter. Doppelklicken Sie ein Wort in der Token-Leiste, um es hinzuzufügen oder zu entfernen.</translation>
    </message>
    <message>
        <source>After the maps are collected, a full step every N steps; partial steps in between. 5 suits 50 steps; with fewer steps each step changes more, so keep N near steps / 10 (2 at 20 steps).</source>
        <translation>Nach dem Erfassen der Karten alle N Schritte ein voller Schritt, dazwischen Teilschritte. 5 passt zu 50 Schritten; bei weniger Schritten ändert jeder Schritt mehr, daher N etwa Schritte / 10 wählen (2 bei 20 Schritten).</translation>
    </message>
</context>
<context>
    <name>hdui::LatencyPlot</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>latency (ms)</source>
        <translation>Latenz (ms)</translation>
    </message>
    <message>
        <source>full step</source>
        <translation>voller Schritt</translation>
    </message>
    <message>
        <source>partial step</source>
        <translation>partieller Schritt</translation>
    </message>
    <message>
        <source>dense baseline</source>
        <translation>dichte Referenz</translation>
    </message>
    <message>
        <source>Per-step latency appears here while the image is denoised.</source>
        <translation>Die Latenz je Schritt erscheint hier, während das Bild entrauscht wird.</translation>
    </message>
    <message>
        <source>Denoising %1 (%2 full, %3 partial)</source>
        <translation>Entrauschen %1 (%2 voll, %3 partiell)</translation>
    </message>
    <message>
        <source>full step %1</source>
        <translation>voller Schritt %1</translation>
    </message>
    <message>
        <source>partial step %1</source>
        <translation>partieller Schritt %1</translation>
    </message>
    <message>
        <source>dense %1</source>
        <translation>dicht %1</translation>
    </message>
    <message>
        <source>speedup %1×</source>
        <translation>Beschleunigung %1×</translation>
    </message>
    <message>
        <source>≈%1× vs. all full steps (estimated)</source>
        <translation>≈%1× gegenüber nur vollen Schritten (geschätzt)</translation>
    </message>
</context>
<context>
    <name>hdui::MainWindow</name>
    <message>
        <source>About Highlight Diffusion Studio</source>
        <translation>Über Highlight Diffusion Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Highlight Diffusion Studio %1&lt;/h3&gt;&lt;p&gt;Fast text-to-image diffusion: cross-attention maps from an early step pick the region of one prompt token; later steps recompute only that region&apos;s blocks.&lt;/p&gt;&lt;p&gt;Engine %2 · libtorch %3 · Qt %4&lt;/p&gt;&lt;p&gt;CPU: %5&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Highlight Diffusion Studio %1&lt;/h3&gt;&lt;p&gt;Schnelle Text-zu-Bild-Diffusion: Cross-Attention-Karten eines frühen Schritts wählen den Bereich eines Prompt-Tokens; spätere Schritte berechnen nur die Blöcke dieses Bereichs neu.&lt;/p&gt;&lt;p&gt;Engine %2 · libtorch %3 · Qt %4&lt;/p&gt;&lt;p&gt;CPU: %5&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Highlight Diffusion Studio</source>
        <translation>Highlight Diffusion Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open Settings from Image…</source>
        <translation>Einstellungen aus Bild ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>&amp;Save Image…</source>
        <translation>Bild &amp;speichern…</translation>
    </message>
    <message>
        <source>Export &amp;Heatmaps…</source>
        <translation>&amp;Heatmaps exportieren…</translation>
    </message>
    <message>
        <source>Export &amp;Mask and Block Grids…</source>
        <translation>&amp;Maske und Blockraster exportieren…</translation>
    </message>
    <message>
        <source>Export &amp;Latency CSV…</source>
        <translation>&amp;Latenz-CSV exportieren…</translation>
    </message>
    <message>
        <source>Open Model &amp;Folder…</source>
        <translation>Modell&amp;ordner öffnen…</translation>
    </message>
    <message>
        <source>Open &amp;Checkpoint File…</source>
        <translation>&amp;Checkpoint-Datei öffnen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>&amp;Generieren</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stopp</translation>
    </message>
    <message>
        <source>Esc Stops the Generation</source>
        <translation>Esc stoppt die Generierung</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Design</translation>
    </message>
    <message>
        <source>Follow the System</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System Language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>Layout &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Highlight Diffusion Studio</source>
        <translation>Ü&amp;ber Highlight Diffusion Studio</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>Generierung</translation>
    </message>
    <message>
        <source>Cross-Attention Heatmaps</source>
        <translation>Cross-Attention-Heatmaps</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>Maske</translation>
    </message>
    <message>
        <source>Active Blocks</source>
        <translation>Aktive Blöcke</translation>
    </message>
    <message>
        <source>Step Latency</source>
        <translation>Schrittlatenz</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>Generieren</translation>
    </message>
    <message>
        <source>Generate an image (Ctrl+Enter)</source>
        <translation>Ein Bild generieren (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop within one step (Esc)</source>
        <translation>Innerhalb eines Schritts stoppen (Esc)</translation>
    </message>
    <message>
        <source>Stop within one step</source>
        <translation>Innerhalb eines Schritts stoppen</translation>
    </message>
    <message>
        <source>Overlays:</source>
        <translation>Überlagerungen:</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>Heatmap</translation>
    </message>
    <message>
        <source>The selected token&apos;s attention map over the image</source>
        <translation>Die Attention-Karte des gewählten Tokens über dem Bild</translation>
    </message>
    <message>
        <source>The refined mask over the image</source>
        <translation>Die verfeinerte Maske über dem Bild</translation>
    </message>
    <message>
        <source>Blocks</source>
        <translation>Blöcke</translation>
    </message>
    <message>
        <source>The active tiles of one resolution over the image</source>
        <translation>Die aktiven Kacheln einer Auflösung über dem Bild</translation>
    </message>
    <message>
        <source>Which resolution&apos;s block grid to draw</source>
        <translation>Das Blockraster welcher Auflösung gezeichnet wird</translation>
    </message>
    <message>
        <source>Highlight</source>
        <translation>Highlight</translation>
    </message>
    <message>
        <source>Dense baseline</source>
        <translation>Dichte Referenz</translation>
    </message>
    <message>
        <source>Write a prompt and press Generate (Ctrl+Enter).</source>
        <translation>Schreiben Sie einen Prompt und klicken Sie auf Generieren (Strg+Eingabe).</translation>
    </message>
    <message>
        <source>The dense baseline runs after the highlight run.</source>
        <translation>Die dichte Referenz läuft nach dem Highlight-Lauf.</translation>
    </message>
    <message>
        <source>The embedded default model is not installed (expected in %1). Choose a diffusers model folder or a single-file checkpoint.</source>
        <translation>Das eingebettete Standardmodell ist nicht installiert (erwartet in %1). Wählen Sie einen Diffusers-Modellordner oder einen Einzeldatei-Checkpoint.</translation>
    </message>
    <message>
        <source>Choose Model…</source>
        <translation>Modell wählen…</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>There is no image to save yet.</source>
        <translation>Es gibt noch kein Bild zum Speichern.</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Save Image</source>
        <translation>Bild speichern</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source> It was made with the model %1, which is not on this computer.</source>
        <translation> Es wurde mit dem Modell %1 erstellt, das auf diesem Computer nicht vorhanden ist.</translation>
    </message>
    <message>
        <source> It was made with the model “%1”.</source>
        <translation> Es wurde mit dem Modell „%1“ erstellt.</translation>
    </message>
    <message>
        <source>Settings restored from %1.</source>
        <translation>Einstellungen aus %1 wiederhergestellt.</translation>
    </message>
    <message>
        <source>Open Settings from Image</source>
        <translation>Einstellungen aus Bild öffnen</translation>
    </message>
    <message>
        <source>There are no heatmaps to export.</source>
        <translation>Es gibt keine Heatmaps zum Exportieren.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Exported %1 heatmaps to %2</source>
        <translation>%1 Heatmaps nach %2 exportiert</translation>
    </message>
    <message>
        <source>There is no mask to export.</source>
        <translation>Es gibt keine Maske zum Exportieren.</translation>
    </message>
    <message>
        <source>Exported the mask and block grids to %1</source>
        <translation>Maske und Blockraster nach %1 exportiert</translation>
    </message>
    <message>
        <source>There are no step timings to export.</source>
        <translation>Es gibt keine Schrittzeiten zum Exportieren.</translation>
    </message>
    <message>
        <source>Export Heatmaps to Folder</source>
        <translation>Heatmaps in Ordner exportieren</translation>
    </message>
    <message>
        <source>Export Mask to Folder</source>
        <translation>Maske in Ordner exportieren</translation>
    </message>
    <message>
        <source>Export Latency CSV</source>
        <translation>Latenz-CSV exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>Stop the generation before changing the model.</source>
        <translation>Stoppen Sie die Generierung, bevor Sie das Modell wechseln.</translation>
    </message>
    <message>
        <source>Loading model %1…</source>
        <translation>Modell %1 wird geladen…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>CUDA</source>
        <translation>CUDA</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>%1 G</source>
        <translation>%1 Mrd.</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 Mio.</translation>
    </message>
    <message>
        <source>%1 · %2×%3 · %4 parameters · %5</source>
        <translation>%1 · %2×%3 · %4 Parameter · %5</translation>
    </message>
    <message>
        <source>Model: %1 · %2</source>
        <translation>Modell: %1 · %2</translation>
    </message>
    <message>
        <source>Could not load the model “%1”: %2</source>
        <translation>Das Modell „%1“ konnte nicht geladen werden: %2</translation>
    </message>
    <message>
        <source>Choose Another…</source>
        <translation>Anderes wählen…</translation>
    </message>
    <message>
        <source>Waiting for the model to load…</source>
        <translation>Warten, bis das Modell geladen ist…</translation>
    </message>
    <message>
        <source>No model is loaded. Choose a model folder or checkpoint first.</source>
        <translation>Kein Modell geladen. Wählen Sie zuerst einen Modellordner oder Checkpoint.</translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation>Schreiben Sie zuerst einen Prompt.</translation>
    </message>
    <message>
        <source>Encoding the prompt…</source>
        <translation>Prompt wird kodiert…</translation>
    </message>
    <message>
        <source>Highlight run</source>
        <translation>Highlight-Lauf</translation>
    </message>
    <message>
        <source>Dense run</source>
        <translation>Dichter Lauf</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird gestoppt…</translation>
    </message>
    <message>
        <source>Step %1/%2 · dense · %3</source>
        <translation>Schritt %1/%2 · dicht · %3</translation>
    </message>
    <message>
        <source>Done in %1 · seed %2</source>
        <translation>Fertig in %1 · Seed %2</translation>
    </message>
    <message>
        <source>Decoded · %1×%2</source>
        <translation>Dekodiert · %1×%2</translation>
    </message>
    <message>
        <source>Done · highlight %1, dense %2</source>
        <translation>Fertig · Highlight %1, dicht %2</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>The dense baseline was stopped after %1 of %2 steps.</source>
        <translation>Die dichte Referenz wurde nach %1 von %2 Schritten gestoppt.</translation>
    </message>
    <message>
        <source>Stopped after %1 of %2 steps. The steps so far can be replayed.</source>
        <translation>Nach %1 von %2 Schritten gestoppt. Die bisherigen Schritte lassen sich abspielen.</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>The generation failed: %1</source>
        <translation>Die Generierung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>No image: the generation did not run.</source>
        <translation>Kein Bild: Die Generierung ist nicht gelaufen.</translation>
    </message>
    <message>
        <source>partial</source>
        <translation>partiell</translation>
    </message>
    <message>
        <source>full</source>
        <translation>voll</translation>
    </message>
    <message>
        <source>Result · %1 steps</source>
        <translation>Ergebnis · %1 Schritte</translation>
    </message>
    <message>
        <source>Step %1/%2 · %3 · %4</source>
        <translation>Schritt %1/%2 · %3 · %4</translation>
    </message>
    <message>
        <source>The prompt&apos;s tokens appear here when the attention maps are captured.</source>
        <translation>Die Tokens des Prompts erscheinen hier, sobald die Attention-Karten aufgezeichnet sind.</translation>
    </message>
    <message>
        <source>Highlight is off: every step is dense and no attention maps are captured.</source>
        <translation>Highlight ist aus: Jeder Schritt ist dicht, und es werden keine Attention-Karten aufgezeichnet.</translation>
    </message>
    <message>
        <source>This engine reported no attention maps for the run.</source>
        <translation>Diese Engine hat für den Lauf keine Attention-Karten gemeldet.</translation>
    </message>
    <message>
        <source>The tokens and their attention maps appear at step %1 of %2, when the maps are captured.</source>
        <translation>Die Tokens und ihre Attention-Karten erscheinen in Schritt %1 von %2, wenn die Karten aufgezeichnet werden.</translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation>%1 %2 %</translation>
    </message>
    <message>
        <source>At (%1, %2): %3</source>
        <translation>Bei (%1, %2): %3</translation>
    </message>
    <message>
        <source>This engine cannot rebuild the mask from stored maps yet; generate again to apply the new settings.</source>
        <translation>Diese Engine kann die Maske noch nicht aus gespeicherten Karten neu aufbauen; generieren Sie erneut, um die neuen Einstellungen anzuwenden.</translation>
    </message>
    <message>
        <source>Could not rebuild the mask: %1</source>
        <translation>Die Maske konnte nicht neu aufgebaut werden: %1</translation>
    </message>
    <message>
        <source>identical</source>
        <translation>identisch</translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <source>PSNR vs dense: &lt;b&gt;%1&lt;/b&gt; · speedup &lt;b&gt;%2×&lt;/b&gt; (denoising %3 vs %4)</source>
        <translation>PSNR gegenüber dicht: &lt;b&gt;%1&lt;/b&gt; · Beschleunigung &lt;b&gt;%2×&lt;/b&gt; (Entrauschen %3 statt %4)</translation>
    </message>
    <message>
        <source>Copied the image</source>
        <translation>Bild kopiert</translation>
    </message>
    <message>
        <source>&amp;Copy Image</source>
        <translation>Bild &amp;kopieren</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
</context>
<context>
    <name>hdui::MaskView</name>
    <message>
        <source>Thresholded</source>
        <translation>Mit Schwellwert</translation>
    </message>
    <message>
        <source>Refined</source>
        <translation>Verfeinert</translation>
    </message>
    <message>
        <source>no mask</source>
        <translation>keine Maske</translation>
    </message>
    <message>
        <source>The mask is built from the highlighted token&apos;s map at the collection step.</source>
        <translation>Die Maske entsteht im Erfassungsschritt aus der Karte des hervorgehobenen Tokens.</translation>
    </message>
    <message>
        <source>Threshold %1 · thresholded %2 px · refined %3 px of %4 · area %5%</source>
        <translation>Schwellwert %1 · mit Schwellwert %2 px · verfeinert %3 px von %4 · Fläche %5 %</translation>
    </message>
    <message>
        <source>(built with other settings)</source>
        <translation>(mit anderen Einstellungen erstellt)</translation>
    </message>
</context>
<context>
    <name>hdui::MessageBar</name>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>hdui::ModelPicker</name>
    <message>
        <source>Choose a diffusers model folder</source>
        <translation>Diffusers-Modellordner wählen</translation>
    </message>
    <message>
        <source>Choose a single-file checkpoint</source>
        <translation>Einzeldatei-Checkpoint wählen</translation>
    </message>
    <message>
        <source>Safetensors checkpoints (*.safetensors)</source>
        <translation>Safetensors-Checkpoints (*.safetensors)</translation>
    </message>
    <message>
        <source>Embedded default (hd-shapes)</source>
        <translation>Eingebetteter Standard (hd-shapes)</translation>
    </message>
    <message>
        <source>Embedded default (not installed)</source>
        <translation>Eingebetteter Standard (nicht installiert)</translation>
    </message>
    <message>
        <source>The model: a diffusers folder or a single-file checkpoint</source>
        <translation>Das Modell: ein Diffusers-Ordner oder ein Einzeldatei-Checkpoint</translation>
    </message>
    <message>
        <source>Open a model folder or checkpoint file</source>
        <translation>Modellordner oder Checkpoint-Datei öffnen</translation>
    </message>
    <message>
        <source>Model folder (diffusers)…</source>
        <translation>Modellordner (Diffusers)…</translation>
    </message>
    <message>
        <source>Checkpoint file (.safetensors)…</source>
        <translation>Checkpoint-Datei (.safetensors)…</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA</source>
        <translation>CUDA</translation>
    </message>
    <message>
        <source>CUDA (not available)</source>
        <translation>CUDA (nicht verfügbar)</translation>
    </message>
    <message>
        <source>Reduced precision (faster)</source>
        <translation>Reduzierte Genauigkeit (schneller)</translation>
    </message>
    <message>
        <source>Runs the UNet in bfloat16 on the CPU or float16 on CUDA: about twice as fast for large models, images within a few levels of full precision.</source>
        <translation>Rechnet das UNet in bfloat16 auf der CPU oder float16 auf CUDA: bei großen Modellen etwa doppelt so schnell, Bilder bis auf wenige Stufen wie bei voller Genauigkeit.</translation>
    </message>
</context>
<context>
    <name>hdui::ProgressStatus</name>
    <message>
        <source>%1: preparing…</source>
        <translation>%1: Vorbereitung…</translation>
    </message>
    <message>
        <source>%1: step %2/%3 · %4 it/s · %5 left</source>
        <translation>%1: Schritt %2/%3 · %4 it/s · noch %5</translation>
    </message>
</context>
<context>
    <name>hdui::StepScrubber</name>
    <message>
        <source>Replay the steps</source>
        <translation>Schritte abspielen</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>Follow new steps as they arrive</source>
        <translation>Neuen Schritten folgen, sobald sie eintreffen</translation>
    </message>
    <message>
        <source>Step: drag to replay a past step&apos;s preview, maps, mask and grid</source>
        <translation>Schritt: ziehen, um Vorschau, Karten, Maske und Raster eines früheren Schritts abzuspielen</translation>
    </message>
</context>
<context>
    <name>hdui::Studio</name>
    <message>
        <source>cannot write the screenshot %1</source>
        <translation>Bildschirmfoto %1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>Highlight Diffusion Studio: fast text-to-image diffusion that shows its work.</source>
        <translation>Highlight Diffusion Studio: schnelle Text-zu-Bild-Diffusion, die zeigt, was sie tut.</translation>
    </message>
    <message>
        <source>Model folder or .safetensors checkpoint.</source>
        <translation>Modellordner oder .safetensors-Checkpoint.</translation>
    </message>
    <message>
        <source>The prompt.</source>
        <translation>Der Prompt.</translation>
    </message>
    <message>
        <source>The negative prompt.</source>
        <translation>Der negative Prompt.</translation>
    </message>
    <message>
        <source>Denoising steps.</source>
        <translation>Entrauschungsschritte.</translation>
    </message>
    <message>
        <source>A fixed seed.</source>
        <translation>Ein fester Seed.</translation>
    </message>
    <message>
        <source>Compare with the dense baseline.</source>
        <translation>Mit der dichten Referenz vergleichen.</translation>
    </message>
    <message>
        <source>Generate once the model is loaded.</source>
        <translation>Generieren, sobald das Modell geladen ist.</translation>
    </message>
    <message>
        <source>Generate, save a screenshot of the window to this file, and quit.</source>
        <translation>Generieren, ein Bildschirmfoto des Fensters in diese Datei speichern und beenden.</translation>
    </message>
    <message>
        <source>Language: en, de or ko.</source>
        <translation>Sprache: en, de oder ko.</translation>
    </message>
    <message>
        <source>Theme: system, light or dark.</source>
        <translation>Design: system, light oder dark.</translation>
    </message>
    <message>
        <source>Start with the default layout and settings.</source>
        <translation>Mit Standardlayout und -einstellungen starten.</translation>
    </message>
    <message>
        <source>the generation did not finish</source>
        <translation>die Generierung wurde nicht abgeschlossen</translation>
    </message>
    <message>
        <source>timed out waiting for the generation</source>
        <translation>Zeitüberschreitung beim Warten auf die Generierung</translation>
    </message>
    <message>
        <source>Image size, e.g. 512x512.</source>
        <translation>Bildgröße, z. B. 512x512.</translation>
    </message>
    <message>
        <source>Highlight threshold (0..255).</source>
        <translation>Highlight-Schwellwert (0..255).</translation>
    </message>
    <message>
        <source>Overlays over the image: heatmap, mask, blocks (comma-separated).</source>
        <translation>Überlagerungen über dem Bild: heatmap, mask, blocks (durch Kommas getrennt).</translation>
    </message>
</context>
<context>
    <name>hdui::TokenStrip</name>
    <message>
        <source>start</source>
        <translation>Anfang</translation>
    </message>
    <message>
        <source>end</source>
        <translation>Ende</translation>
    </message>
    <message>
        <source>⚠ truncated</source>
        <translation>⚠ gekürzt</translation>
    </message>
    <message>
        <source>word: %1</source>
        <translation>Wort: %1</translation>
    </message>
    <message>
        <source>variance %1 · sum %2 · max %3</source>
        <translation>Varianz %1 · Summe %2 · Max. %3</translation>
    </message>
    <message>
        <source>noun candidate</source>
        <translation>Substantiv-Kandidat</translation>
    </message>
    <message>
        <source>highlighted</source>
        <translation>hervorgehoben</translation>
    </message>
    <message>
        <source>Click to show its map over the image; double-click to highlight this word instead.</source>
        <translation>Klicken zeigt seine Karte über dem Bild; Doppelklick hebt stattdessen dieses Wort hervor.</translation>
    </message>
    <message>
        <source>The prompt&apos;s tokens appear here when the attention maps are captured.</source>
        <translation>Die Tokens des Prompts erscheinen hier, sobald die Attention-Karten aufgezeichnet sind.</translation>
    </message>
    <message>
        <source>Highlighted: &lt;b&gt;%1&lt;/b&gt; — variance %2 · sum %3 · max %4</source>
        <translation>Hervorgehoben: &lt;b&gt;%1&lt;/b&gt; — Varianz %2 · Summe %3 · Max. %4</translation>
    </message>
    <message>
        <source>No token is highlighted.</source>
        <translation>Kein Token ist hervorgehoben.</translation>
    </message>
    <message>
        <source>Prompt tokens: %1</source>
        <translation>Prompt-Tokens: %1</translation>
    </message>
    <message>
        <source>The prompt is longer than the tokenizer&apos;s limit of %1 tokens; the rest is ignored.</source>
        <translation>Der Prompt ist länger als die Grenze des Tokenizers von %1 Tokens; der Rest wird ignoriert.</translation>
    </message>
    <message>
        <source>The prompt is longer than the tokenizer&apos;s limit; the rest is ignored.</source>
        <translation>Der Prompt ist länger als die Grenze des Tokenizers; der Rest wird ignoriert.</translation>
    </message>
</context>
<context>
    <name>hdui::png</name>
    <message>
        <source>There is no image to save.</source>
        <translation>Es gibt kein Bild zum Speichern.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Cannot encode %1 as PNG: %2</source>
        <translation>%1 kann nicht als PNG kodiert werden: %2</translation>
    </message>
    <message>
        <source>%1 is not a readable image: %2</source>
        <translation>%1 ist kein lesbares Bild: %2</translation>
    </message>
    <message>
        <source>%1 carries no generation settings (no &quot;parameters&quot; or &quot;hd-studio&quot; text).</source>
        <translation>%1 enthält keine Generierungseinstellungen (kein „parameters“- oder „hd-studio“-Text).</translation>
    </message>
</context>
</TS>
