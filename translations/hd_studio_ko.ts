<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>hdui::BlockGridView</name>
    <message>
        <source>%1×%2 · tile %3 · %4/%5</source>
        <translation>%1×%2 · 타일 %3 · %4/%5</translation>
    </message>
    <message>
        <source>Show the image underneath</source>
        <translation>아래에 이미지 표시</translation>
    </message>
    <message>
        <source>No block grid yet. Partial steps compute only the tiles the mask touches; they appear here after the collection step.</source>
        <translation>아직 블록 격자가 없습니다. 부분 단계는 마스크가 닿는 타일만 계산하며, 수집 단계 이후 여기에 표시됩니다.</translation>
    </message>
    <message>
        <source>Active tiles %1 of %2 (%3%) · predicted MACs of a partial step: %4% of dense</source>
        <translation>활성 타일 %2개 중 %1개 (%3%) · 부분 단계의 예상 MAC: 밀집 대비 %4%</translation>
    </message>
    <message>
        <source>Step %1: partial, %2 of %3 tiles computed, %4% of dense MACs</source>
        <translation>%1단계: 부분, 타일 %3개 중 %2개 계산, 밀집 MAC의 %4%</translation>
    </message>
    <message>
        <source>Step %1: full, every tile computed</source>
        <translation>%1단계: 전체, 모든 타일 계산</translation>
    </message>
</context>
<context>
    <name>hdui::EngineWorker</name>
    <message>
        <source>Stopped before it started.</source>
        <translation>시작하기 전에 중지되었습니다.</translation>
    </message>
    <message>
        <source>No model is loaded. Choose a model first.</source>
        <translation>불러온 모델이 없습니다. 먼저 모델을 선택하세요.</translation>
    </message>
    <message>
        <source>No model is loaded.</source>
        <translation>불러온 모델이 없습니다.</translation>
    </message>
</context>
<context>
    <name>hdui::GenerationPanel</name>
    <message>
        <source>No seed used yet.</source>
        <translation>아직 사용한 시드가 없습니다.</translation>
    </message>
    <message>
        <source>Used seed: &lt;b&gt;%1&lt;/b&gt; · &lt;a href=&quot;keep&quot;&gt;keep it&lt;/a&gt;</source>
        <translation>사용한 시드: &lt;b&gt;%1&lt;/b&gt; · &lt;a href=&quot;keep&quot;&gt;유지&lt;/a&gt;</translation>
    </message>
    <message>
        <source>&amp;Prompt</source>
        <translation>프롬프트(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Negative prompt</source>
        <translation>네거티브 프롬프트(&amp;N)</translation>
    </message>
    <message>
        <source>Describe the image, e.g. “a red star above a blue house”</source>
        <translation>이미지를 설명하세요. 예: “a red star above a blue house”</translation>
    </message>
    <message>
        <source>What to avoid (optional)</source>
        <translation>피할 내용 (선택)</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>시드</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>무작위</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>고정</translation>
    </message>
    <message>
        <source>Reuse last</source>
        <translation>마지막 값 재사용</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>시드</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>단계 수</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>가이던스</translation>
    </message>
    <message>
        <source>Classifier-free guidance scale; 1 or less turns it off</source>
        <translation>Classifier-free guidance 강도. 1 이하이면 꺼집니다</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>크기</translation>
    </message>
    <message>
        <source>The model&apos;s default size</source>
        <translation>모델의 기본 크기</translation>
    </message>
    <message>
        <source>Denoising steps</source>
        <translation>디노이징 단계</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>샘플러</translation>
    </message>
    <message>
        <source>DDIM: the paper&apos;s sampler. DPM++ 2M (DPM-Solver++): a second-order solver, nearer the fully converged image than DDIM in as many steps (20 to 30 steps). DPM++ 2M Karras: the same on Karras et al.&apos;s noise levels, for SD 1.x-style models; on zero-terminal-SNR models such as the embedded one it spends most steps at the highest noise.</source>
        <translation>DDIM: 논문의 샘플러. DPM++ 2M (DPM-Solver++): 2차 솔버로, 같은 단계 수에서 DDIM보다 완전히 수렴한 이미지에 더 가깝습니다 (20~30단계). DPM++ 2M Karras: 같은 솔버를 Karras 등의 노이즈 단계에서 사용하며, SD 1.x 계열 모델용입니다. 내장 모델처럼 종단 SNR이 0인 모델에서는 대부분의 단계를 가장 높은 노이즈에서 보냅니다.</translation>
    </message>
</context>
<context>
    <name>hdui::HeatmapGrid</name>
    <message>
        <source>start</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>end</source>
        <translation>끝</translation>
    </message>
    <message>
        <source>%1 — variance %2 · sum %3 · max %4</source>
        <translation>%1 — 분산 %2 · 합 %3 · 최대 %4</translation>
    </message>
    <message>
        <source>No attention maps yet. They are captured at the collection step.</source>
        <translation>아직 어텐션 맵이 없습니다. 수집 단계에서 기록됩니다.</translation>
    </message>
    <message>
        <source>Each map scaled to its own range (dark: low, bright: high); green dot: noun candidate.</source>
        <translation>각 맵은 자체 범위로 조정됨 (어두움: 낮음, 밝음: 높음). 초록 점: 명사 후보.</translation>
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
        <translation>부분 단계에서는 강조된 토큰의 영역만 다시 계산합니다</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>임계값</translation>
    </message>
    <message>
        <source>On the token&apos;s map scaled to 0..255: higher gives a smaller mask. After a run, moving it re-masks the stored maps at once.</source>
        <translation>0..255로 조정된 토큰 맵 기준: 높을수록 마스크가 작아집니다. 생성 후 움직이면 저장된 맵으로 즉시 마스크를 다시 만듭니다.</translation>
    </message>
    <message>
        <source>Collect maps at</source>
        <translation>맵 수집 시점</translation>
    </message>
    <message>
        <source>Fraction of the steps before the cross-attention maps are captured</source>
        <translation>크로스 어텐션 맵을 기록하기 전까지의 단계 비율</translation>
    </message>
    <message>
        <source>Selection statistic</source>
        <translation>선택 통계량</translation>
    </message>
    <message>
        <source>Variance</source>
        <translation>분산</translation>
    </message>
    <message>
        <source>Sum</source>
        <translation>합</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>최대</translation>
    </message>
    <message>
        <source>How the automatic choice ranks the noun candidates&apos; maps</source>
        <translation>자동 선택이 명사 후보의 맵 순위를 매기는 방식</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>토큰</translation>
    </message>
    <message>
        <source>Automatic (nouns)</source>
        <translation>자동 (명사)</translation>
    </message>
    <message>
        <source>Manual</source>
        <translation>수동</translation>
    </message>
    <message>
        <source>words, comma-separated</source>
        <translation>단어 (쉼표로 구분)</translation>
    </message>
    <message>
        <source>Minimum region</source>
        <translation>최소 영역</translation>
    </message>
    <message>
        <source>Refinement drops mask regions smaller than this part of the image</source>
        <translation>이미지에서 이 비율보다 작은 마스크 영역은 정제 과정에서 제거됩니다</translation>
    </message>
    <message>
        <source>Attention maps</source>
        <translation>어텐션 맵</translation>
    </message>
    <message>
        <source>The cross-attention layers whose maps pick the region, by the size of their feature map. Finer maps follow the object&apos;s outline; coarser ones are smoother. Applies to the next run.</source>
        <translation>영역을 고르는 맵을 주는 크로스 어텐션 층(특징 맵의 크기별). 세밀한 맵은 물체의 윤곽을 따르고 거친 맵은 더 매끄럽습니다. 다음 실행부터 적용됩니다.</translation>
    </message>
    <message>
        <source>Maps of the layers at 1/%1 of the latent&apos;s size</source>
        <translation>잠재 공간 크기의 1/%1인 층의 맵</translation>
    </message>
    <message>
        <source>Refresh the mask at full steps</source>
        <translation>전체 단계마다 마스크 갱신</translation>
    </message>
    <message>
        <source>Compare with dense</source>
        <translation>밀집 방식과 비교</translation>
    </message>
    <message>
        <source>Also run every step dense with the same seed, and show both images, their PSNR and the speedup</source>
        <translation>같은 시드로 모든 단계를 밀집 방식으로도 실행해 두 이미지, PSNR, 속도 향상을 보여 줍니다</translation>
    </message>
    <message>
        <source>a full step every %1 steps</source>
        <translation>%1단계마다 전체 단계</translation>
    </message>
    <message>
        <source>Full-step interval</source>
        <translation>전체 단계 간격</translation>
    </message>
    <message>
        <source>The words to highlight. Double-click a word in the token strip to add or remove it.</source>
        <translation>강조할 단어입니다. 토큰 줄에서 단어를 더블클릭하면 추가하거나 제거합니다.</translation>
    </message>
    <message>
        <source>After the maps are collected, a full step every N steps; partial steps in between. 5 suits 50 steps; with fewer steps each step changes more, so keep N near steps / 10 (2 at 20 steps).</source>
        <translation>맵을 수집한 뒤 N 단계마다 전체 단계를 실행하고, 그 사이에는 부분 단계를 실행합니다. 50단계에는 5가 적합하며, 단계가 적을수록 각 단계의 변화가 크므로 N을 단계 수 / 10 정도로 두세요 (20단계에서는 2).</translation>
    </message>
</context>
<context>
    <name>hdui::LatencyPlot</name>
    <message>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1ms</translation>
    </message>
    <message>
        <source>step</source>
        <translation>단계</translation>
    </message>
    <message>
        <source>latency (ms)</source>
        <translation>지연 시간 (ms)</translation>
    </message>
    <message>
        <source>full step</source>
        <translation>전체 단계</translation>
    </message>
    <message>
        <source>partial step</source>
        <translation>부분 단계</translation>
    </message>
    <message>
        <source>dense baseline</source>
        <translation>밀집 기준선</translation>
    </message>
    <message>
        <source>Per-step latency appears here while the image is denoised.</source>
        <translation>이미지를 디노이징하는 동안 단계별 지연 시간이 여기에 표시됩니다.</translation>
    </message>
    <message>
        <source>Denoising %1 (%2 full, %3 partial)</source>
        <translation>디노이징 %1 (전체 %2, 부분 %3)</translation>
    </message>
    <message>
        <source>full step %1</source>
        <translation>전체 단계 %1</translation>
    </message>
    <message>
        <source>partial step %1</source>
        <translation>부분 단계 %1</translation>
    </message>
    <message>
        <source>dense %1</source>
        <translation>밀집 %1</translation>
    </message>
    <message>
        <source>speedup %1×</source>
        <translation>속도 향상 %1×</translation>
    </message>
    <message>
        <source>≈%1× vs. all full steps (estimated)</source>
        <translation>모든 단계를 전체로 할 때 대비 ≈%1× (추정)</translation>
    </message>
</context>
<context>
    <name>hdui::MainWindow</name>
    <message>
        <source>About Highlight Diffusion Studio</source>
        <translation>Highlight Diffusion Studio 정보</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Highlight Diffusion Studio %1&lt;/h3&gt;&lt;p&gt;Fast text-to-image diffusion: cross-attention maps from an early step pick the region of one prompt token; later steps recompute only that region&apos;s blocks.&lt;/p&gt;&lt;p&gt;Engine %2 · libtorch %3 · Qt %4&lt;/p&gt;&lt;p&gt;CPU: %5&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Highlight Diffusion Studio %1&lt;/h3&gt;&lt;p&gt;빠른 텍스트-이미지 디퓨전: 초기 단계의 크로스 어텐션 맵이 프롬프트 토큰 하나의 영역을 고르고, 이후 단계는 그 영역의 블록만 다시 계산합니다.&lt;/p&gt;&lt;p&gt;엔진 %2 · libtorch %3 · Qt %4&lt;/p&gt;&lt;p&gt;CPU: %5&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Highlight Diffusion Studio</source>
        <translation>Highlight Diffusion Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Settings from Image…</source>
        <translation>이미지에서 설정 열기(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save Image…</source>
        <translation>이미지 저장(&amp;S)…</translation>
    </message>
    <message>
        <source>Export &amp;Heatmaps…</source>
        <translation>히트맵 내보내기(&amp;H)…</translation>
    </message>
    <message>
        <source>Export &amp;Mask and Block Grids…</source>
        <translation>마스크와 블록 격자 내보내기(&amp;M)…</translation>
    </message>
    <message>
        <source>Export &amp;Latency CSV…</source>
        <translation>지연 시간 CSV 내보내기(&amp;L)…</translation>
    </message>
    <message>
        <source>Open Model &amp;Folder…</source>
        <translation>모델 폴더 열기(&amp;F)…</translation>
    </message>
    <message>
        <source>Open &amp;Checkpoint File…</source>
        <translation>체크포인트 파일 열기(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>종료(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>생성(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>중지(&amp;S)</translation>
    </message>
    <message>
        <source>Esc Stops the Generation</source>
        <translation>Esc로 생성 중지</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>테마(&amp;T)</translation>
    </message>
    <message>
        <source>Follow the System</source>
        <translation>시스템 설정 따르기</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>밝게</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>어둡게</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>언어(&amp;L)</translation>
    </message>
    <message>
        <source>System Language</source>
        <translation>시스템 언어</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>레이아웃 초기화(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Highlight Diffusion Studio</source>
        <translation>Highlight Diffusion Studio 정보(&amp;A)</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>생성</translation>
    </message>
    <message>
        <source>Cross-Attention Heatmaps</source>
        <translation>크로스 어텐션 히트맵</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>마스크</translation>
    </message>
    <message>
        <source>Active Blocks</source>
        <translation>활성 블록</translation>
    </message>
    <message>
        <source>Step Latency</source>
        <translation>단계별 지연 시간</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>생성</translation>
    </message>
    <message>
        <source>Generate an image (Ctrl+Enter)</source>
        <translation>이미지 생성 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <source>Stop within one step (Esc)</source>
        <translation>한 단계 안에 중지 (Esc)</translation>
    </message>
    <message>
        <source>Stop within one step</source>
        <translation>한 단계 안에 중지</translation>
    </message>
    <message>
        <source>Overlays:</source>
        <translation>오버레이:</translation>
    </message>
    <message>
        <source>Heatmap</source>
        <translation>히트맵</translation>
    </message>
    <message>
        <source>The selected token&apos;s attention map over the image</source>
        <translation>선택한 토큰의 어텐션 맵을 이미지 위에 표시</translation>
    </message>
    <message>
        <source>The refined mask over the image</source>
        <translation>정제된 마스크를 이미지 위에 표시</translation>
    </message>
    <message>
        <source>Blocks</source>
        <translation>블록</translation>
    </message>
    <message>
        <source>The active tiles of one resolution over the image</source>
        <translation>한 해상도의 활성 타일을 이미지 위에 표시</translation>
    </message>
    <message>
        <source>Which resolution&apos;s block grid to draw</source>
        <translation>표시할 블록 격자의 해상도</translation>
    </message>
    <message>
        <source>Highlight</source>
        <translation>하이라이트</translation>
    </message>
    <message>
        <source>Dense baseline</source>
        <translation>밀집 기준선</translation>
    </message>
    <message>
        <source>Write a prompt and press Generate (Ctrl+Enter).</source>
        <translation>프롬프트를 입력하고 생성을 누르세요 (Ctrl+Enter).</translation>
    </message>
    <message>
        <source>The dense baseline runs after the highlight run.</source>
        <translation>밀집 기준선은 하이라이트 실행 후에 실행됩니다.</translation>
    </message>
    <message>
        <source>The embedded default model is not installed (expected in %1). Choose a diffusers model folder or a single-file checkpoint.</source>
        <translation>내장 기본 모델이 설치되어 있지 않습니다 (예상 위치: %1). diffusers 모델 폴더나 단일 파일 체크포인트를 선택하세요.</translation>
    </message>
    <message>
        <source>Choose Model…</source>
        <translation>모델 선택…</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>불러온 모델 없음</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
    <message>
        <source>There is no image to save yet.</source>
        <translation>아직 저장할 이미지가 없습니다.</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 저장됨</translation>
    </message>
    <message>
        <source>Save Image</source>
        <translation>이미지 저장</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 이미지 (*.png)</translation>
    </message>
    <message>
        <source> It was made with the model %1, which is not on this computer.</source>
        <translation> 이 컴퓨터에 없는 모델 %1(으)로 만들어졌습니다.</translation>
    </message>
    <message>
        <source> It was made with the model “%1”.</source>
        <translation> 모델 “%1”(으)로 만들어졌습니다.</translation>
    </message>
    <message>
        <source>Settings restored from %1.</source>
        <translation>%1에서 설정을 복원했습니다.</translation>
    </message>
    <message>
        <source>Open Settings from Image</source>
        <translation>이미지에서 설정 열기</translation>
    </message>
    <message>
        <source>There are no heatmaps to export.</source>
        <translation>내보낼 히트맵이 없습니다.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>폴더 %1을(를) 만들 수 없습니다.</translation>
    </message>
    <message>
        <source>Exported %1 heatmaps to %2</source>
        <translation>히트맵 %1개를 %2(으)로 내보냈습니다</translation>
    </message>
    <message>
        <source>There is no mask to export.</source>
        <translation>내보낼 마스크가 없습니다.</translation>
    </message>
    <message>
        <source>Exported the mask and block grids to %1</source>
        <translation>마스크와 블록 격자를 %1(으)로 내보냈습니다</translation>
    </message>
    <message>
        <source>There are no step timings to export.</source>
        <translation>내보낼 단계별 시간이 없습니다.</translation>
    </message>
    <message>
        <source>Export Heatmaps to Folder</source>
        <translation>히트맵을 폴더로 내보내기</translation>
    </message>
    <message>
        <source>Export Mask to Folder</source>
        <translation>마스크를 폴더로 내보내기</translation>
    </message>
    <message>
        <source>Export Latency CSV</source>
        <translation>지연 시간 CSV 내보내기</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 파일 (*.csv)</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1ms</translation>
    </message>
    <message>
        <source>Stop the generation before changing the model.</source>
        <translation>모델을 바꾸기 전에 생성을 중지하세요.</translation>
    </message>
    <message>
        <source>Loading model %1…</source>
        <translation>모델 %1 불러오는 중…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>불러오는 중…</translation>
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
        <translation>%1 G</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 M</translation>
    </message>
    <message>
        <source>%1 · %2×%3 · %4 parameters · %5</source>
        <translation>%1 · %2×%3 · 매개변수 %4 · %5</translation>
    </message>
    <message>
        <source>Model: %1 · %2</source>
        <translation>모델: %1 · %2</translation>
    </message>
    <message>
        <source>Could not load the model “%1”: %2</source>
        <translation>모델 “%1”을(를) 불러올 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Choose Another…</source>
        <translation>다른 모델 선택…</translation>
    </message>
    <message>
        <source>Waiting for the model to load…</source>
        <translation>모델을 불러오기를 기다리는 중…</translation>
    </message>
    <message>
        <source>No model is loaded. Choose a model folder or checkpoint first.</source>
        <translation>불러온 모델이 없습니다. 먼저 모델 폴더나 체크포인트를 선택하세요.</translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation>먼저 프롬프트를 입력하세요.</translation>
    </message>
    <message>
        <source>Encoding the prompt…</source>
        <translation>프롬프트 인코딩 중…</translation>
    </message>
    <message>
        <source>Highlight run</source>
        <translation>하이라이트 실행</translation>
    </message>
    <message>
        <source>Dense run</source>
        <translation>밀집 실행</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>중지하는 중…</translation>
    </message>
    <message>
        <source>Step %1/%2 · dense · %3</source>
        <translation>%1/%2단계 · 밀집 · %3</translation>
    </message>
    <message>
        <source>Done in %1 · seed %2</source>
        <translation>%1 만에 완료 · 시드 %2</translation>
    </message>
    <message>
        <source>Decoded · %1×%2</source>
        <translation>디코딩됨 · %1×%2</translation>
    </message>
    <message>
        <source>Done · highlight %1, dense %2</source>
        <translation>완료 · 하이라이트 %1, 밀집 %2</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>중지됨</translation>
    </message>
    <message>
        <source>The dense baseline was stopped after %1 of %2 steps.</source>
        <translation>밀집 기준선이 %2단계 중 %1단계 후에 중지되었습니다.</translation>
    </message>
    <message>
        <source>Stopped after %1 of %2 steps. The steps so far can be replayed.</source>
        <translation>%2단계 중 %1단계 후에 중지되었습니다. 지금까지의 단계는 다시 볼 수 있습니다.</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <source>The generation failed: %1</source>
        <translation>생성에 실패했습니다: %1</translation>
    </message>
    <message>
        <source>No image: the generation did not run.</source>
        <translation>이미지 없음: 생성이 실행되지 않았습니다.</translation>
    </message>
    <message>
        <source>partial</source>
        <translation>부분</translation>
    </message>
    <message>
        <source>full</source>
        <translation>전체</translation>
    </message>
    <message>
        <source>Result · %1 steps</source>
        <translation>결과 · %1단계</translation>
    </message>
    <message>
        <source>Step %1/%2 · %3 · %4</source>
        <translation>%1/%2단계 · %3 · %4</translation>
    </message>
    <message>
        <source>The prompt&apos;s tokens appear here when the attention maps are captured.</source>
        <translation>어텐션 맵이 기록되면 프롬프트의 토큰이 여기에 표시됩니다.</translation>
    </message>
    <message>
        <source>Highlight is off: every step is dense and no attention maps are captured.</source>
        <translation>하이라이트가 꺼져 있습니다: 모든 단계가 밀집 방식이며 어텐션 맵을 기록하지 않습니다.</translation>
    </message>
    <message>
        <source>This engine reported no attention maps for the run.</source>
        <translation>이 엔진은 이번 실행에서 어텐션 맵을 보내지 않았습니다.</translation>
    </message>
    <message>
        <source>The tokens and their attention maps appear at step %1 of %2, when the maps are captured.</source>
        <translation>토큰과 어텐션 맵은 맵을 기록하는 %2단계 중 %1단계에 표시됩니다.</translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation>%1 %2%</translation>
    </message>
    <message>
        <source>At (%1, %2): %3</source>
        <translation>(%1, %2) 위치: %3</translation>
    </message>
    <message>
        <source>This engine cannot rebuild the mask from stored maps yet; generate again to apply the new settings.</source>
        <translation>이 엔진은 아직 저장된 맵으로 마스크를 다시 만들 수 없습니다. 새 설정을 적용하려면 다시 생성하세요.</translation>
    </message>
    <message>
        <source>Could not rebuild the mask: %1</source>
        <translation>마스크를 다시 만들 수 없습니다: %1</translation>
    </message>
    <message>
        <source>identical</source>
        <translation>동일</translation>
    </message>
    <message>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <source>PSNR vs dense: &lt;b&gt;%1&lt;/b&gt; · speedup &lt;b&gt;%2×&lt;/b&gt; (denoising %3 vs %4)</source>
        <translation>밀집 대비 PSNR: &lt;b&gt;%1&lt;/b&gt; · 속도 향상 &lt;b&gt;%2×&lt;/b&gt; (디노이징 %3 대 %4)</translation>
    </message>
    <message>
        <source>Copied the image</source>
        <translation>이미지를 복사했습니다</translation>
    </message>
    <message>
        <source>&amp;Copy Image</source>
        <translation>이미지 복사(&amp;C)</translation>
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
        <translation>임계값 적용</translation>
    </message>
    <message>
        <source>Refined</source>
        <translation>정제됨</translation>
    </message>
    <message>
        <source>no mask</source>
        <translation>마스크 없음</translation>
    </message>
    <message>
        <source>The mask is built from the highlighted token&apos;s map at the collection step.</source>
        <translation>마스크는 수집 단계에서 강조된 토큰의 맵으로 만들어집니다.</translation>
    </message>
    <message>
        <source>Threshold %1 · thresholded %2 px · refined %3 px of %4 · area %5%</source>
        <translation>임계값 %1 · 임계값 적용 %2px · 정제 %4px 중 %3px · 면적 %5%</translation>
    </message>
    <message>
        <source>(built with other settings)</source>
        <translation>(다른 설정으로 만든 마스크)</translation>
    </message>
</context>
<context>
    <name>hdui::MessageBar</name>
    <message>
        <source>Close</source>
        <translation>닫기</translation>
    </message>
</context>
<context>
    <name>hdui::ModelPicker</name>
    <message>
        <source>Choose a diffusers model folder</source>
        <translation>diffusers 모델 폴더 선택</translation>
    </message>
    <message>
        <source>Choose a single-file checkpoint</source>
        <translation>단일 파일 체크포인트 선택</translation>
    </message>
    <message>
        <source>Safetensors checkpoints (*.safetensors)</source>
        <translation>Safetensors 체크포인트 (*.safetensors)</translation>
    </message>
    <message>
        <source>Embedded default (hd-shapes)</source>
        <translation>내장 기본 모델 (hd-shapes)</translation>
    </message>
    <message>
        <source>Embedded default (not installed)</source>
        <translation>내장 기본 모델 (설치되지 않음)</translation>
    </message>
    <message>
        <source>The model: a diffusers folder or a single-file checkpoint</source>
        <translation>모델: diffusers 폴더 또는 단일 파일 체크포인트</translation>
    </message>
    <message>
        <source>Open a model folder or checkpoint file</source>
        <translation>모델 폴더나 체크포인트 파일 열기</translation>
    </message>
    <message>
        <source>Model folder (diffusers)…</source>
        <translation>모델 폴더 (diffusers)…</translation>
    </message>
    <message>
        <source>Checkpoint file (.safetensors)…</source>
        <translation>체크포인트 파일 (.safetensors)…</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>장치</translation>
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
        <translation>CUDA (사용 불가)</translation>
    </message>
    <message>
        <source>Reduced precision (faster)</source>
        <translation>낮은 정밀도 (더 빠름)</translation>
    </message>
    <message>
        <source>Runs the UNet in bfloat16 on the CPU or float16 on CUDA: about twice as fast for large models, images within a few levels of full precision.</source>
        <translation>UNet을 CPU에서는 bfloat16, CUDA에서는 float16으로 실행합니다. 큰 모델에서 약 두 배 빠르며, 이미지는 전체 정밀도와 몇 단계 이내로 같습니다.</translation>
    </message>
</context>
<context>
    <name>hdui::ProgressStatus</name>
    <message>
        <source>%1: preparing…</source>
        <translation>%1: 준비 중…</translation>
    </message>
    <message>
        <source>%1: step %2/%3 · %4 it/s · %5 left</source>
        <translation>%1: %2/%3단계 · %4 it/s · %5 남음</translation>
    </message>
</context>
<context>
    <name>hdui::StepScrubber</name>
    <message>
        <source>Replay the steps</source>
        <translation>단계 다시 보기</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>실시간</translation>
    </message>
    <message>
        <source>Follow new steps as they arrive</source>
        <translation>새 단계가 도착하면 따라가기</translation>
    </message>
    <message>
        <source>Step: drag to replay a past step&apos;s preview, maps, mask and grid</source>
        <translation>단계: 끌어서 지난 단계의 미리보기, 맵, 마스크, 격자를 다시 보기</translation>
    </message>
</context>
<context>
    <name>hdui::Studio</name>
    <message>
        <source>cannot write the screenshot %1</source>
        <translation>스크린샷 %1을(를) 쓸 수 없습니다</translation>
    </message>
    <message>
        <source>Highlight Diffusion Studio: fast text-to-image diffusion that shows its work.</source>
        <translation>Highlight Diffusion Studio: 작동 과정을 보여 주는 빠른 텍스트-이미지 디퓨전.</translation>
    </message>
    <message>
        <source>Model folder or .safetensors checkpoint.</source>
        <translation>모델 폴더 또는 .safetensors 체크포인트.</translation>
    </message>
    <message>
        <source>The prompt.</source>
        <translation>프롬프트.</translation>
    </message>
    <message>
        <source>The negative prompt.</source>
        <translation>네거티브 프롬프트.</translation>
    </message>
    <message>
        <source>Denoising steps.</source>
        <translation>디노이징 단계 수.</translation>
    </message>
    <message>
        <source>A fixed seed.</source>
        <translation>고정 시드.</translation>
    </message>
    <message>
        <source>Compare with the dense baseline.</source>
        <translation>밀집 기준선과 비교.</translation>
    </message>
    <message>
        <source>Generate once the model is loaded.</source>
        <translation>모델을 불러오면 바로 생성.</translation>
    </message>
    <message>
        <source>Generate, save a screenshot of the window to this file, and quit.</source>
        <translation>생성한 뒤 창의 스크린샷을 이 파일에 저장하고 종료.</translation>
    </message>
    <message>
        <source>Language: en, de or ko.</source>
        <translation>언어: en, de 또는 ko.</translation>
    </message>
    <message>
        <source>Theme: system, light or dark.</source>
        <translation>테마: system, light 또는 dark.</translation>
    </message>
    <message>
        <source>Start with the default layout and settings.</source>
        <translation>기본 레이아웃과 설정으로 시작.</translation>
    </message>
    <message>
        <source>the generation did not finish</source>
        <translation>생성이 끝나지 않았습니다</translation>
    </message>
    <message>
        <source>timed out waiting for the generation</source>
        <translation>생성을 기다리다 시간이 초과되었습니다</translation>
    </message>
    <message>
        <source>Image size, e.g. 512x512.</source>
        <translation>이미지 크기. 예: 512x512.</translation>
    </message>
    <message>
        <source>Highlight threshold (0..255).</source>
        <translation>하이라이트 임계값 (0..255).</translation>
    </message>
    <message>
        <source>Overlays over the image: heatmap, mask, blocks (comma-separated).</source>
        <translation>이미지 위 오버레이: heatmap, mask, blocks (쉼표로 구분).</translation>
    </message>
</context>
<context>
    <name>hdui::TokenStrip</name>
    <message>
        <source>start</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>end</source>
        <translation>끝</translation>
    </message>
    <message>
        <source>⚠ truncated</source>
        <translation>⚠ 잘림</translation>
    </message>
    <message>
        <source>word: %1</source>
        <translation>단어: %1</translation>
    </message>
    <message>
        <source>variance %1 · sum %2 · max %3</source>
        <translation>분산 %1 · 합 %2 · 최대 %3</translation>
    </message>
    <message>
        <source>noun candidate</source>
        <translation>명사 후보</translation>
    </message>
    <message>
        <source>highlighted</source>
        <translation>강조됨</translation>
    </message>
    <message>
        <source>Click to show its map over the image; double-click to highlight this word instead.</source>
        <translation>클릭하면 맵을 이미지 위에 표시하고, 더블클릭하면 이 단어를 대신 강조합니다.</translation>
    </message>
    <message>
        <source>The prompt&apos;s tokens appear here when the attention maps are captured.</source>
        <translation>어텐션 맵이 기록되면 프롬프트의 토큰이 여기에 표시됩니다.</translation>
    </message>
    <message>
        <source>Highlighted: &lt;b&gt;%1&lt;/b&gt; — variance %2 · sum %3 · max %4</source>
        <translation>강조됨: &lt;b&gt;%1&lt;/b&gt; — 분산 %2 · 합 %3 · 최대 %4</translation>
    </message>
    <message>
        <source>No token is highlighted.</source>
        <translation>강조된 토큰이 없습니다.</translation>
    </message>
    <message>
        <source>Prompt tokens: %1</source>
        <translation>프롬프트 토큰: %1</translation>
    </message>
    <message>
        <source>The prompt is longer than the tokenizer&apos;s limit of %1 tokens; the rest is ignored.</source>
        <translation>프롬프트가 토크나이저 한도인 %1토큰보다 깁니다. 나머지는 무시됩니다.</translation>
    </message>
    <message>
        <source>The prompt is longer than the tokenizer&apos;s limit; the rest is ignored.</source>
        <translation>프롬프트가 토크나이저 한도보다 깁니다. 나머지는 무시됩니다.</translation>
    </message>
</context>
<context>
    <name>hdui::png</name>
    <message>
        <source>There is no image to save.</source>
        <translation>저장할 이미지가 없습니다.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1에 쓸 수 없습니다: %2</translation>
    </message>
    <message>
        <source>Cannot encode %1 as PNG: %2</source>
        <translation>%1을(를) PNG로 인코딩할 수 없습니다: %2</translation>
    </message>
    <message>
        <source>%1 is not a readable image: %2</source>
        <translation>%1은(는) 읽을 수 있는 이미지가 아닙니다: %2</translation>
    </message>
    <message>
        <source>%1 carries no generation settings (no &quot;parameters&quot; or &quot;hd-studio&quot; text).</source>
        <translation>%1에는 생성 설정이 없습니다 (&quot;parameters&quot; 또는 &quot;hd-studio&quot; 텍스트 없음).</translation>
    </message>
</context>
</TS>
