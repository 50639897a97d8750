/**
 * Glossary data behind `explain <term>` and free "what is X?" questions.
 *
 * Written for infrastructure, platform and finance people: plain, precise, no hype.
 * Azure OpenAI quota/PTU facts follow docs/platform-facts.md §D7, Azure GPU
 * series facts §A, idle-GPU/DCGM facts §E. Anything not sourced there is kept general on purpose;
 * do not add figures here without a source.
 *
 * Rules (enforced by test/unit/glossary.test.ts): ids are unique kebab-case, aliases are
 * lower-case and unique across terms, every `related` id exists, no empty fields.
 */

export interface GlossaryTerm {
  /** kebab-case, unique: "ptu" */
  id: string;
  /** Display name: "PTU (Provisioned Throughput Unit)" */
  term: string;
  /** Lower-case alternatives the user might type. */
  aliases: string[];
  /** 1–3 plain sentences. */
  definition: string;
  /** 1–2 sentences: why an infra/platform/finance person cares. */
  whyInfraCares: string;
  /** The Azure angle, 1–2 sentences. */
  azure: string;
  /** Ids of other terms; every id must exist. */
  related: string[];
}

export const GLOSSARY: readonly GlossaryTerm[] = [
  // ── Foundations ──────────────────────────────────────────────────────────
  {
    id: "ai",
    term: "AI (Artificial Intelligence)",
    aliases: ["ai", "artificial intelligence"],
    definition:
      "The broad field of building software that does tasks normally needing human judgement, such as understanding text, recognising images or making predictions. Today the term mostly means machine-learning models, especially large language models.",
    whyInfraCares: 'An "AI workload" usually translates into GPU capacity, quota requests, high-bandwidth networking and storage for data and model files.',
    azure: "Azure offers AI both as managed services (Azure OpenAI, Azure AI Foundry) and as raw infrastructure (NC, ND and NV GPU VMs, AKS GPU node pools).",
    related: ["ml", "deep-learning", "llm", "gpu"],
  },
  {
    id: "ml",
    term: "ML (Machine Learning)",
    aliases: ["ml", "machine learning"],
    definition:
      "A subset of AI where a program learns patterns from example data instead of following hand-written rules. Training produces a model, which is then used to make predictions (inference).",
    whyInfraCares: "ML has two very different workload shapes — bursty, heavy training jobs and steady, latency-sensitive inference — that need different capacity planning.",
    azure: "Azure Machine Learning manages experiments, compute and deployments. Many classic ML models run fine on CPU; deep learning usually needs GPUs.",
    related: ["ai", "deep-learning", "training", "inference", "mlops"],
  },
  {
    id: "deep-learning",
    term: "Deep learning (DL)",
    aliases: ["deep learning", "dl", "neural network", "neural networks", "deep neural network", "dnn"],
    definition:
      "Machine learning with neural networks that have many layers. It powers modern language, vision and speech models and consists mostly of very large numbers of matrix multiplications.",
    whyInfraCares: "Those matrix operations are exactly what GPUs accelerate, so deep learning is the main reason teams ask for GPU quota.",
    azure: "Deep-learning training and inference typically run on Azure's NC and ND GPU VM series, directly or through AKS or Azure Machine Learning.",
    related: ["ml", "gpu", "tensor-cores", "training", "transformer"],
  },
  {
    id: "inference",
    term: "Inference",
    aliases: ["inference", "inferencing", "model serving", "serving", "prediction", "predictions", "scoring"],
    definition: "Running a trained model to produce an output — answering a prompt, classifying an image, producing an embedding. The weights are fixed; nothing is learned.",
    whyInfraCares:
      "Inference runs continuously and faces users, so it is sized for latency, throughput and availability rather than peak compute, and it often dominates cost over a model's lifetime.",
    azure: "Either call a managed endpoint (Azure OpenAI with TPM quota or PTUs) or host the model yourself on GPU VMs or AKS with a server such as vLLM or Triton.",
    related: ["training", "latency", "throughput", "ptu", "vllm", "triton-inference-server"],
  },
  {
    id: "training",
    term: "Training",
    aliases: ["training", "model training", "pre training", "pretraining"],
    definition:
      "Adjusting a model's weights by repeatedly showing it data and correcting its errors using gradients. Pre-training a large model from scratch can occupy many GPUs for weeks.",
    whyInfraCares:
      "Training is batch work that wants many tightly connected GPUs at once, fast storage for data and checkpoints, and can be scheduled — but restarts are expensive without checkpoints.",
    azure: "Large multi-node training uses the ND series (e.g. ND H100 v5: 8× H100 80 GB per VM with 8×400 Gb/s NDR InfiniBand); smaller jobs fit NC-series VMs.",
    related: ["inference", "fine-tuning", "distributed-training", "checkpoint", "nd-series", "infiniband"],
  },
  {
    id: "fine-tuning",
    term: "Fine-tuning",
    aliases: ["fine-tuning", "fine tuning", "finetuning", "fine-tune", "fine tune", "finetune"],
    definition:
      "Continuing the training of an existing, usually pre-trained, model on a smaller task-specific dataset so it follows a format, style or domain better. Far cheaper than training from scratch.",
    whyInfraCares: "Fine-tuning jobs are short bursts of GPU demand; parameter-efficient methods such as LoRA often make them fit on a single GPU VM.",
    azure: "Azure OpenAI and Azure AI Foundry offer managed fine-tuning for some models; otherwise it runs as a job on Azure Machine Learning or on GPU VMs.",
    related: ["training", "lora", "foundation-model", "rlhf"],
  },
  {
    id: "mlops",
    term: "MLOps",
    aliases: ["mlops", "ml ops", "machine learning operations", "llmops"],
    definition:
      "The practices and tooling that take models from experiment to production and keep them healthy: versioned data and models, automated training pipelines, deployment, monitoring and rollback.",
    whyInfraCares: "It is DevOps for models — infra teams usually own the pipelines, compute, registries and observability it depends on.",
    azure: "Azure Machine Learning provides pipelines, a model registry and managed endpoints, and integrates with MLflow, GitHub Actions and Azure DevOps.",
    related: ["model-registry", "mlflow", "azure-machine-learning", "checkpoint"],
  },

  // ── Hardware ─────────────────────────────────────────────────────────────
  {
    id: "gpu",
    term: "GPU (Graphics Processing Unit)",
    aliases: ["gpu", "gpus", "graphics processing unit", "graphics card", "accelerator", "gpu accelerator"],
    definition:
      "A processor with thousands of small cores built for parallel arithmetic. Originally made for graphics, it is now the standard hardware for training and running AI models.",
    whyInfraCares: "GPUs are the scarcest and most expensive part of AI infrastructure: quota, regional availability, drivers and utilisation all become infra concerns.",
    azure:
      "Azure sells GPUs as N-series VMs: NC (compute), ND (large-scale training with InfiniBand) and NV (visualisation/VDI). Quota is granted in vCPUs per VM family, not per GPU.",
    related: ["hbm", "cuda", "nc-series", "nd-series", "nv-series", "vcpu-quota-family"],
  },
  {
    id: "tpu",
    term: "TPU (Tensor Processing Unit)",
    aliases: ["tpu", "tpus", "tensor processing unit"],
    definition: "Google's custom AI accelerator chip, available only on Google Cloud.",
    whyInfraCares: "It comes up in multi-cloud comparisons; TPU-specific code and capacity plans don't carry over directly to GPUs.",
    azure: "Azure has no TPUs; the comparable options are NVIDIA and AMD GPU VMs such as the ND and NC series.",
    related: ["gpu", "nd-series", "nc-series"],
  },
  {
    id: "vgpu",
    term: "vGPU (virtual GPU)",
    aliases: ["vgpu", "vgpus", "virtual gpu", "fractional gpu", "partial gpu", "gpu partitioning"],
    definition: "A physical GPU shared between several VMs, each getting a slice of its memory and time. Mainly used for virtual desktops and graphics.",
    whyInfraCares: "vGPU VMs are cheaper per seat but only get part of a GPU, need the vendor's vGPU-specific drivers, and per-GPU monitoring can be limited.",
    azure: "NVads A10 v5 sizes offer 1/6, 1/3 or 1/2 of an A10 GPU. The Resource SKUs API reports GPUs = 1 even for these fractional sizes.",
    related: ["gpu", "nv-series", "mig", "sr-iov", "time-slicing"],
  },
  {
    id: "hbm",
    term: "HBM / GPU memory (VRAM)",
    aliases: ["hbm", "gpu memory", "vram", "high bandwidth memory", "hbm3", "hbm3e", "framebuffer", "frame buffer"],
    definition: "The memory on the GPU itself. Data-centre GPUs use HBM, stacked memory with very high bandwidth. Model weights, KV cache and activations must all fit in it.",
    whyInfraCares: "GPU memory, more often than compute, decides which GPU and how many you need; running out causes out-of-memory errors, not just slowdowns.",
    azure: "It varies widely per SKU: T4 16 GB, A100 40 or 80 GB, H100 80 GB (ND H100 v5) or 94 GB (NCads H100 v5), H200 141 GB and MI300X 192 GB per GPU.",
    related: ["gpu", "kv-cache", "quantization", "batch-size", "parameters"],
  },
  {
    id: "flops",
    term: "FLOPS (floating-point operations per second)",
    aliases: ["flops", "flop", "teraflops", "tflops", "petaflops", "pflops", "floating point operations per second"],
    definition: "A measure of raw compute speed. Vendors quote peak TFLOPS per number format (FP32, FP16, FP8), usually assuming tensor cores.",
    whyInfraCares:
      "Peak FLOPS is a ceiling, not what you get: real jobs are often limited by memory bandwidth or networking, so compare GPUs on your own workload, not the datasheet.",
    azure: "Azure VM size pages don't list FLOPS; they follow from the GPU model (e.g. H100 vs A100) and the GPU count per VM.",
    related: ["tensor-cores", "mixed-precision", "gpu", "hbm"],
  },
  {
    id: "tensor-cores",
    term: "Tensor cores",
    aliases: ["tensor core", "tensor cores", "matrix cores", "matrix core"],
    definition:
      "Specialised units inside NVIDIA GPUs (Volta generation and newer) that do matrix multiply-accumulate very fast at reduced precision. AMD's equivalents are called matrix cores.",
    whyInfraCares: "Models only approach a GPU's headline performance when they use tensor cores, which means running in FP16, BF16, FP8 or another supported low precision.",
    azure: "The T4, V100, A100, H100, H200 and Blackwell GPUs in Azure's NC/ND series have tensor cores; older GPUs such as the K80, P100 and M60 do not.",
    related: ["mixed-precision", "flops", "gpu", "cuda"],
  },
  {
    id: "mixed-precision",
    term: "Mixed precision (FP16 / BF16 / FP8)",
    aliases: ["mixed precision", "fp16", "bf16", "bfloat16", "fp8", "fp32", "fp4", "half precision", "precision", "amp"],
    definition:
      "Running most of a model's maths in lower-precision number formats (16-bit FP16/BF16 or 8-bit FP8) while keeping sensitive parts in 32-bit. It halves or quarters memory per value and enables tensor cores.",
    whyInfraCares: "Format support differs by GPU generation — BF16 needs A100 or newer, FP8 needs H100 or newer — so the number format a team relies on can dictate the SKU.",
    azure: "T4 and V100 sizes support FP16 but not BF16; A100 sizes add BF16; ND H100 v5, ND H200 v5 and the Blackwell ND v6 sizes support FP8.",
    related: ["quantization", "tensor-cores", "flops", "hbm"],
  },
  {
    id: "cuda",
    term: "CUDA",
    aliases: ["cuda", "cuda toolkit", "cudnn", "cuda driver"],
    definition: "NVIDIA's programming platform and runtime for running general-purpose code on NVIDIA GPUs. Almost every AI framework (PyTorch, TensorFlow) uses CUDA underneath.",
    whyInfraCares:
      'The NVIDIA driver on the host and the CUDA version in the container must be compatible; mismatches are a classic cause of "no GPU found". CUDA only runs on NVIDIA GPUs.',
    azure: "NVIDIA-based N-series VMs need the NVIDIA driver, from the GPU driver extension or a pre-built image; AMD-based sizes such as ND MI300X v5 use AMD's ROCm instead.",
    related: ["gpu", "nccl", "gpu-operator", "tensor-cores", "rocm"],
  },
  {
    id: "rocm",
    term: "ROCm (AMD GPU software stack)",
    aliases: ["rocm", "amd rocm"],
    definition: "AMD's open software stack for GPU computing, the counterpart of NVIDIA CUDA. Frameworks such as PyTorch publish ROCm builds.",
    whyInfraCares: "AMD GPUs need ROCm-built containers and AMD's own monitoring tools rather than CUDA and DCGM, so images and tooling differ from NVIDIA fleets.",
    azure: "Relevant on AMD GPU sizes such as ND MI300X v5 (8× AMD MI300X 192 GB).",
    related: ["cuda", "gpu", "nd-series"],
  },
  {
    id: "h100",
    term: "NVIDIA H100 / H200 (Hopper)",
    aliases: ["h100", "h100s", "nvidia h100", "hopper", "h100 nvl", "h200", "nvidia h200"],
    definition: "NVIDIA's Hopper-generation data-centre GPU, successor to the A100, adding FP8 support. The H200 is the same design with more, faster memory.",
    whyInfraCares: "The mainstream choice for large training and LLM serving, and among the most quota- and capacity-constrained SKUs.",
    azure: "ND H100 v5: 8× H100 80 GB SXM; NCads H100 v5: 1–2× H100 NVL 94 GB; NCC H100 v5: one confidential H100; ND H200 v5: 8× H200 141 GB.",
    related: ["a100", "nd-series", "nc-series", "mixed-precision", "hbm"],
  },
  {
    id: "a100",
    term: "NVIDIA A100 (Ampere)",
    aliases: ["a100", "a100s", "nvidia a100", "ampere"],
    definition: "NVIDIA's Ampere-generation data-centre GPU, in 40 GB and 80 GB versions. It introduced BF16 and MIG partitioning.",
    whyInfraCares: "A widely deployed option for mid-size training and inference; MIG lets one A100 be split between several small workloads.",
    azure: "NC A100 v4: 1–4× A100 80 GB PCIe; ND A100 v4: 8× A100 40 GB SXM; NDm A100 v4: 8× A100 80 GB SXM.",
    related: ["h100", "mig", "nc-series", "nd-series"],
  },

  // ── Interconnect, storage and networking ─────────────────────────────────
  {
    id: "infiniband",
    term: "InfiniBand",
    aliases: ["infiniband", "ib", "infini band", "ndr infiniband", "hdr infiniband", "edr infiniband"],
    definition: "A high-bandwidth, low-latency network fabric used in HPC and AI clusters to connect servers to each other, with RDMA built in.",
    whyInfraCares: "Multi-node training exchanges gradients between GPUs every step; without InfiniBand-class networking, adding nodes stops making training faster.",
    azure: "ND-series VMs have it — e.g. ND H100 v5 has 8×400 Gb/s NDR InfiniBand per VM, NDv2 100 Gb/s EDR. It is a separate back-end network, not part of your VNet.",
    related: ["rdma", "gpudirect-rdma", "nccl", "nd-series", "distributed-training"],
  },
  {
    id: "rdma",
    term: "RDMA (Remote Direct Memory Access)",
    aliases: ["rdma", "remote direct memory access", "roce"],
    definition:
      "Lets one machine read or write another machine's memory over the network without involving either side's CPU or OS kernel, giving very low latency and high throughput.",
    whyInfraCares: "RDMA is what makes cross-node collective operations fast in distributed training; it needs supported NICs, drivers and a capable fabric.",
    azure: 'Azure exposes RDMA over InfiniBand on RDMA-capable sizes, marked with an "r" in the size name — e.g. ND96isr_H100_v5, or the retired NC24rs_v3.',
    related: ["infiniband", "gpudirect-rdma", "nccl", "sr-iov"],
  },
  {
    id: "nvlink",
    term: "NVLink",
    aliases: ["nvlink", "nv link", "nvswitch", "nv switch"],
    definition:
      "NVIDIA's high-speed direct link between GPUs in the same server (and, with NVSwitch, across a whole rack in systems such as GB200 NVL72). Much faster than PCIe for GPU-to-GPU traffic.",
    whyInfraCares:
      "Models split across GPUs (tensor/model parallelism) need NVLink-class bandwidth; PCIe-only multi-GPU VMs are fine for independent jobs but slower for one model spread over several GPUs.",
    azure: "ND-series VMs are NVLink-connected (e.g. NDv2 with V100 NVLink, ND H100 v5 with SXM GPUs); ND GB200 v6 VMs form NVL72 racks of 18 VMs.",
    related: ["gpu", "model-parallelism", "nd-series", "infiniband"],
  },
  {
    id: "gpudirect-rdma",
    term: "GPUDirect RDMA",
    aliases: ["gpudirect rdma", "gpudirect", "gpu direct", "gpu direct rdma", "gpudirect storage"],
    definition: "NVIDIA technology that lets a network card (or, with GPUDirect Storage, a storage device) read and write GPU memory directly, skipping the CPU and system RAM.",
    whyInfraCares: "It removes extra copies from cross-node GPU traffic, which is key to scaling multi-node training efficiently.",
    azure: "Used by NCCL over InfiniBand on ND-series VMs such as ND H100 v5; it needs matching drivers, which Azure's HPC VM images provide.",
    related: ["rdma", "infiniband", "nccl", "nd-series"],
  },
  {
    id: "nccl",
    term: "NCCL (NVIDIA Collective Communications Library)",
    aliases: ["nccl", "nvidia collective communications library", "all reduce", "allreduce", "collectives", "rccl"],
    definition:
      "NVIDIA's library for collective operations such as all-reduce between GPUs — over NVLink inside a server and InfiniBand or Ethernet between servers. AMD's equivalent is RCCL.",
    whyInfraCares: "Multi-GPU training hangs and slowdowns usually surface as NCCL errors or timeouts; NCCL tests are the standard way to validate a GPU cluster.",
    azure: "On ND-series VMs NCCL uses InfiniBand with GPUDirect RDMA; Azure's HPC images ship topology files and settings that help it pick the right paths.",
    related: ["infiniband", "gpudirect-rdma", "nvlink", "distributed-training", "data-parallelism"],
  },
  {
    id: "nvme",
    term: "NVMe (local SSD)",
    aliases: ["nvme", "nvme ssd", "local nvme", "nvme disk", "nvme disks", "non volatile memory express"],
    definition: 'A fast protocol for SSDs attached over PCIe. In cloud VMs, "local NVMe" means fast disks physically inside the host.',
    whyInfraCares:
      "Training reads data and writes checkpoints constantly; staging data on local NVMe keeps GPUs busy, but local disks are ephemeral — their data is lost when the VM is deallocated.",
    azure:
      "Many GPU sizes, including the ND series, come with local NVMe disks that you mount (and often stripe) at boot; persist anything important to Blob storage or managed disks.",
    related: ["checkpoint", "blob-storage", "training", "deallocated"],
  },
  {
    id: "data-lake",
    term: "Data lake",
    aliases: ["data lake", "datalake", "data lakes", "lakehouse"],
    definition: "A central store for large volumes of raw and processed data in open file formats (Parquet, CSV, images), organised as folders rather than database tables.",
    whyInfraCares: "Training and RAG pipelines read from the data lake, so its throughput, region placement and access control directly affect GPU efficiency and egress cost.",
    azure: "On Azure a data lake is usually ADLS Gen2 (Blob storage with a hierarchical namespace), typically reached from training compute through Private Link.",
    related: ["adls-gen2", "blob-storage", "egress", "private-link"],
  },
  {
    id: "blob-storage",
    term: "Azure Blob Storage",
    aliases: ["blob storage", "azure blob storage", "azure blob", "blob", "blobs", "object storage", "azure storage"],
    definition: "Azure's object storage for unstructured data — files of any size — with hot, cool, cold and archive access tiers.",
    whyInfraCares: "It usually holds training data, checkpoints and model weights; its throughput to GPU nodes and the access tier affect both speed and cost.",
    azure: "Mount it on VMs or AKS with BlobFuse2 or NFS and reach it privately through Private Link; with a hierarchical namespace enabled it becomes ADLS Gen2.",
    related: ["adls-gen2", "data-lake", "checkpoint", "private-link", "egress"],
  },
  {
    id: "adls-gen2",
    term: "ADLS Gen2 (Azure Data Lake Storage Gen2)",
    aliases: ["adls", "adls gen2", "adlsgen2", "azure data lake storage", "azure data lake storage gen2", "data lake storage", "hierarchical namespace"],
    definition: "Blob storage with the hierarchical namespace turned on, adding real directories, atomic renames and POSIX-style ACLs for analytics workloads.",
    whyInfraCares: 'It is the usual foundation of an Azure data lake; directory-level ACLs and its separate "dfs" endpoint have to fit your network and identity design.',
    azure: "It is a setting on a storage account; with Private Link, the blob and dfs endpoints each need their own private endpoint.",
    related: ["blob-storage", "data-lake", "private-link"],
  },
  {
    id: "vnet",
    term: "VNet (Azure Virtual Network)",
    aliases: ["vnet", "vnets", "virtual network", "azure virtual network", "virtual networks"],
    definition: "Your private, isolated network in Azure, divided into subnets, where VMs, AKS nodes and private endpoints get their IP addresses.",
    whyInfraCares: "GPU clusters need enough subnet address space for nodes (and pods), plus routing, NSGs and private access to storage and model endpoints.",
    azure: "InfiniBand traffic between ND-series VMs bypasses the VNet; ordinary Ethernet traffic goes through it and benefits from accelerated networking.",
    related: ["private-link", "accelerated-networking", "aks", "egress"],
  },
  {
    id: "private-link",
    term: "Private Link / private endpoint",
    aliases: ["private link", "privatelink", "private endpoint", "private endpoints", "azure private link"],
    definition:
      "An Azure feature that gives a PaaS service (Storage, Azure OpenAI, Key Vault, an ML workspace) a private IP address inside your VNet through a private endpoint, so traffic stays off the public internet.",
    whyInfraCares:
      'Most enterprises require it for AI services that touch internal data; it brings private DNS zones, which are the usual cause of "works from my laptop, fails from the cluster".',
    azure: "Create a private endpoint per service in your VNet, link the matching privatelink DNS zone, then disable public network access on the service.",
    related: ["vnet", "azure-openai", "blob-storage", "egress"],
  },
  {
    id: "accelerated-networking",
    term: "Accelerated networking",
    aliases: ["accelerated networking", "accelnet", "accel net"],
    definition: "An Azure feature that uses SR-IOV to give a VM's network interface a direct path to the physical NIC, lowering latency, jitter and CPU use.",
    whyInfraCares: "It improves Ethernet performance for data loading and inference traffic; InfiniBand on the ND series is a separate network.",
    azure: "Enabled per NIC on supported sizes, but not every GPU size supports it — the confidential NCC H100 v5, for example, does not.",
    related: ["sr-iov", "vnet", "infiniband"],
  },
  {
    id: "sr-iov",
    term: "SR-IOV (Single Root I/O Virtualization)",
    aliases: ["sr-iov", "sriov", "sr iov", "single root io virtualization", "single root i/o virtualization"],
    definition: "A PCIe feature that lets one physical device (a NIC or GPU) present several virtual functions that VMs use directly, with near-native performance.",
    whyInfraCares: "It underpins accelerated networking and some GPU partitioning, and it can hide host-level details from the VM, including some GPU telemetry.",
    azure: "Accelerated networking uses SR-IOV; the NC RTX PRO 6000 v6 GPU is SR-IOV-attached, and its power and thermal telemetry are not visible through nvidia-smi.",
    related: ["accelerated-networking", "vgpu", "rdma", "nvidia-smi"],
  },
  {
    id: "egress",
    term: "Egress (data transfer out)",
    aliases: ["egress", "data egress", "egress fees", "egress charges", "bandwidth charges", "data transfer", "outbound data transfer"],
    definition: "Network traffic leaving a region or leaving Azure. Inbound traffic is generally free; outbound and cross-region traffic is billed per GB.",
    whyInfraCares: "Moving datasets, checkpoints or model weights between regions or clouds can add surprising cost — keep data and GPUs in the same region.",
    azure: "Cross-region and internet egress show up as bandwidth charges in Cost Management; Private Link traffic has its own per-GB charge.",
    related: ["data-lake", "blob-storage", "tco", "vnet"],
  },

  // ── Azure GPU catalogue ──────────────────────────────────────────────────
  {
    id: "nd-series",
    term: "ND-series (Azure GPU VMs for large-scale AI)",
    aliases: [
      "nd series",
      "nd",
      "nd vm",
      "nd vms",
      "nd h100 v5",
      "nd h100",
      "ndh100v5",
      "nd96isr h100 v5",
      "nd h200 v5",
      "nd h200",
      "nd a100 v4",
      "ndm a100 v4",
      "ndv2",
      "nd mi300x v5",
      "nd gb200 v6",
      "nd gb300 v6",
    ],
    definition: "Azure's GPU VMs for large training and inference: typically 8 data-centre GPUs per VM (4 on GB200/GB300 sizes), NVLink inside the VM and InfiniBand between VMs.",
    whyInfraCares: "They are the most expensive and capacity-constrained sizes; quota, region availability and cluster placement need planning well ahead.",
    azure:
      "Examples: ND H100 v5 (8× H100 80 GB, 8×400 Gb/s NDR InfiniBand), ND H200 v5 (8× H200 141 GB), ND MI300X v5 (8× MI300X 192 GB), ND A100 v4 / NDm A100 v4 (8× A100 40/80 GB), ND GB200 v6 and ND GB300 v6 (4 Blackwell GPUs, Arm Grace host).",
    related: ["nc-series", "infiniband", "nvlink", "distributed-training", "vcpu-quota-family", "h100"],
  },
  {
    id: "nc-series",
    term: "NC-series (Azure GPU compute VMs)",
    aliases: [
      "nc series",
      "nc",
      "nc vm",
      "nc vms",
      "nc a100 v4",
      "nc h100 v5",
      "ncads h100 v5",
      "ncast4 v3",
      "ncast4v3",
      "nc t4",
      "ncv3",
      "ncc h100 v5",
      "nc rtx pro 6000",
      "ncv6",
      "nc a10 v4",
    ],
    definition: "Azure's general-purpose GPU compute VMs with 1 to 4 GPUs per VM, for single-node training, fine-tuning and inference.",
    whyInfraCares:
      "The usual starting point for inference and smaller training; PCIe-attached GPUs and no InfiniBand on current sizes mean they aren't built for large multi-node jobs.",
    azure:
      "Examples: NCasT4_v3 (T4 16 GB), NC A100 v4 (A100 80 GB PCIe, MIG-capable), NCads H100 v5 (H100 NVL 94 GB), NCC H100 v5 (confidential). NCv3 (V100) was retired on 30 Sep 2025.",
    related: ["nd-series", "nv-series", "mig", "confidential-computing", "vcpu-quota-family", "a100"],
  },
  {
    id: "nv-series",
    term: "NV-series (Azure visualisation GPU VMs)",
    aliases: ["nv series", "nv", "nv vm", "nv vms", "nvads a10 v5", "nvadsa10v5", "nvv3", "nvv4", "nvads v710 v5"],
    definition: "Azure's GPU VMs for visualisation, remote desktops (VDI) and graphics, often with fractional (partitioned) GPUs.",
    whyInfraCares: "Cheap per user for graphics but small for AI work; several generations are being retired, so check the lifecycle before building on them.",
    azure: "NVads A10 v5 offers from 1/6 of an A10 up to 2 A10s per VM; NVv3 (M60) and NVv4 (MI25) retire on 30 Sep 2026, with NVads A10 v5 or NVads V710 v5 as replacements.",
    related: ["vgpu", "nc-series", "nd-series"],
  },
  {
    id: "sku",
    term: "SKU (VM size)",
    aliases: ["sku", "skus", "vm size", "vm sizes", "vm sku", "instance type", "instance types"],
    definition: "Stock-keeping unit — in Azure compute, the specific VM size such as Standard_ND96isr_H100_v5, which fixes vCPUs, RAM, GPU count and GPU type.",
    whyInfraCares: "The SKU decides price, quota family, regional availability and which features (InfiniBand, accelerated networking, confidential computing) you get.",
    azure:
      "The Resource SKUs API lists sizes per region with capabilities and restrictions (NotAvailableForSubscription = not offered to your subscription there); `az vm list-skus --all` includes restricted SKUs.",
    related: ["vcpu-quota-family", "quota", "availability-zone", "nd-series", "nc-series", "nv-series"],
  },
  {
    id: "availability-zone",
    term: "Availability zone",
    aliases: ["availability zone", "availability zones", "az", "zone", "zones"],
    definition: "A physically separate group of datacentres within an Azure region, with independent power, cooling and networking.",
    whyInfraCares:
      "GPU SKUs are often offered only in some zones of a region; spreading across zones improves resilience but can make GPU capacity harder to get and adds latency inside a cluster.",
    azure: "The Resource SKUs API shows, per size, which zones it is offered in (locationInfo.zones) and any Zone restrictions.",
    related: ["sku", "quota", "vnet"],
  },
  {
    id: "confidential-computing",
    term: "Confidential computing",
    aliases: ["confidential computing", "confidential vm", "confidential vms", "confidential gpu", "confidential ai", "cvm", "trusted execution environment", "tee"],
    definition:
      "Protecting data while it is being processed by running workloads in hardware-isolated, encrypted environments that even the cloud operator can't inspect, with attestation to prove it.",
    whyInfraCares: "It lets regulated data and proprietary models be used on shared cloud hardware, at the price of SKU and feature limitations.",
    azure: "NCC H100 v5 (NCC40ads_H100_v5) provides a confidential H100 GPU in an AMD SEV-SNP confidential VM; it does not support accelerated networking.",
    related: ["nc-series", "sku", "accelerated-networking"],
  },

  // ── Kubernetes and serving ───────────────────────────────────────────────
  {
    id: "kubernetes",
    term: "Kubernetes (K8s)",
    aliases: ["kubernetes", "k8s", "kube"],
    definition: "Open-source system for running containers across a cluster of machines: it schedules workloads onto nodes, restarts failures and scales replicas.",
    whyInfraCares: "GPUs are an extended resource (nvidia.com/gpu) that pods request in whole units unless you add sharing such as MIG or time-slicing.",
    azure: "On Azure, Kubernetes usually means AKS; Azure Machine Learning can also use Kubernetes clusters as compute targets.",
    related: ["aks", "device-plugin", "node-pool", "gpu-operator"],
  },
  {
    id: "aks",
    term: "AKS (Azure Kubernetes Service)",
    aliases: ["aks", "azure kubernetes service", "azure kubernetes", "managed kubernetes"],
    definition: "Microsoft's managed Kubernetes service: Azure runs the control plane and you run node pools of VMs that host your containers.",
    whyInfraCares: "AKS is the usual platform for self-hosted inference and shared GPU clusters; GPU nodes need drivers, a device plugin and monitoring wired up.",
    azure: "Add a GPU node pool with an N-series size (it uses that VM family's vCPU quota); for GPU metrics, run the DCGM exporter into Azure Managed Prometheus and Grafana.",
    related: ["kubernetes", "node-pool", "device-plugin", "gpu-operator", "dcgm", "autoscaling"],
  },
  {
    id: "node-pool",
    term: "Node pool",
    aliases: ["node pool", "node pools", "nodepool", "nodepools", "agent pool", "gpu node pool"],
    definition: "A group of identical VMs within a Kubernetes cluster. In AKS each node pool has a single VM size, so GPU nodes live in their own pool.",
    whyInfraCares: "Separate, tainted GPU pools keep ordinary pods off expensive GPUs and let GPU capacity scale, even to zero, independently.",
    azure: "Each AKS GPU node pool draws on its VM family's vCPU quota in the region; the cluster autoscaler can scale user node pools down to zero.",
    related: ["aks", "autoscaling", "device-plugin", "vcpu-quota-family"],
  },
  {
    id: "device-plugin",
    term: "Kubernetes device plugin (NVIDIA)",
    aliases: ["device plugin", "kubernetes device plugin", "nvidia device plugin", "k8s device plugin", "nvidia com gpu"],
    definition: "A Kubernetes DaemonSet that advertises a node's GPUs to the scheduler as a resource (nvidia.com/gpu) so pods can request them.",
    whyInfraCares: "Without it GPU nodes look like CPU nodes and GPU pods stay Pending; it also implements sharing modes such as MIG and time-slicing.",
    azure: "AKS can install the NVIDIA device plugin for GPU node pools, or you can manage it yourself through the NVIDIA GPU Operator.",
    related: ["aks", "gpu-operator", "kubernetes", "mig", "time-slicing"],
  },
  {
    id: "gpu-operator",
    term: "NVIDIA GPU Operator",
    aliases: ["gpu operator", "nvidia gpu operator", "nvidia operator"],
    definition: "A Kubernetes operator that installs and manages the NVIDIA software stack on GPU nodes: driver, container toolkit, device plugin, DCGM exporter and MIG manager.",
    whyInfraCares: "It standardises GPU node setup across clusters; the trade-off is that you own the driver lifecycle.",
    azure: "On AKS you can skip the built-in GPU driver installation and use the GPU Operator instead; the DCGM exporter it deploys can feed Azure Managed Prometheus.",
    related: ["device-plugin", "dcgm", "aks", "cuda", "mig"],
  },
  {
    id: "mig",
    term: "MIG (Multi-Instance GPU)",
    aliases: ["mig", "multi instance gpu", "multi-instance gpu", "multiinstance gpu", "mig partition", "mig partitions"],
    definition: "An NVIDIA feature on A100, H100 and later GPUs that splits one physical GPU into several isolated instances, each with its own slice of memory and compute.",
    whyInfraCares: "MIG lets several small inference or notebook workloads share one expensive GPU with hardware isolation; monitoring then has to be per instance.",
    azure:
      "Available on MIG-capable sizes such as NC A100 v4 (A100 80 GB PCIe), and AKS supports MIG node pools. Under MIG, measure activity with DCGM_FI_PROF_GR_ENGINE_ACTIVE rather than GPU_UTIL.",
    related: ["gpu", "vgpu", "time-slicing", "dcgm", "utilization", "a100"],
  },
  {
    id: "time-slicing",
    term: "GPU time-slicing",
    aliases: ["time slicing", "time-slicing", "timeslicing", "gpu time slicing", "gpu sharing", "shared gpu"],
    definition: "Letting several pods or processes share one GPU by taking turns, without memory or fault isolation between them.",
    whyInfraCares:
      "A cheap way to pack small, bursty workloads (notebooks, dev inference) onto one GPU, but one job can still starve or crash the others — MIG gives real isolation.",
    azure: "Configured through the NVIDIA device plugin or GPU Operator on AKS GPU node pools.",
    related: ["mig", "device-plugin", "gpu-operator", "utilization"],
  },
  {
    id: "autoscaling",
    term: "Autoscaling",
    aliases: ["autoscaling", "autoscale", "autoscaler", "auto scaling", "cluster autoscaler", "scale to zero", "keda", "hpa"],
    definition: "Automatically adding or removing capacity — pods, nodes or VMs — based on load, queue length or schedules.",
    whyInfraCares:
      "For GPUs, scaling down saves the most money but scaling up is slow (node provisioning, image pull, model load) and can fail outright when quota or regional capacity runs out.",
    azure: "AKS uses the cluster autoscaler for nodes and HPA or KEDA for pods; VM Scale Sets and Azure Machine Learning compute clusters autoscale as well.",
    related: ["node-pool", "cold-start", "aks", "idle-gpu"],
  },
  {
    id: "cold-start",
    term: "Cold start",
    aliases: ["cold start", "cold starts", "coldstart", "warm up", "warmup", "model load time"],
    definition:
      "The delay before a newly started instance can serve requests: provisioning the VM or node, pulling large container images and loading model weights into GPU memory.",
    whyInfraCares: "For large models this can take minutes, so scale-to-zero saves money but hurts first-request latency; keep a warm minimum for user-facing services.",
    azure: "Shorten it by keeping images and weights close to the GPUs (same-region Blob storage, local NVMe) and by setting a minimum node count on the node pool.",
    related: ["autoscaling", "latency", "node-pool", "nvme", "parameters"],
  },
  {
    id: "triton-inference-server",
    term: "Triton Inference Server",
    aliases: ["triton", "triton inference server", "nvidia triton", "tritonserver", "triton server"],
    definition: "NVIDIA's open-source model server that serves models from many frameworks (PyTorch, TensorFlow, ONNX, TensorRT) over HTTP and gRPC, with dynamic batching.",
    whyInfraCares: "One server type for many models simplifies operations; it exposes Prometheus metrics and can host several models per GPU.",
    azure: "Run it on AKS GPU node pools or GPU VMs; Azure Machine Learning managed online endpoints can also deploy Triton-format models.",
    related: ["inference", "vllm", "onnx", "batch-size", "aks"],
  },
  {
    id: "vllm",
    term: "vLLM",
    aliases: ["vllm", "v llm"],
    definition:
      "A widely used open-source LLM inference engine that gets high throughput from continuous batching and PagedAttention (efficient KV-cache management), and exposes an OpenAI-compatible API.",
    whyInfraCares: "A common default for self-hosting open-weight LLMs; its memory settings decide how many concurrent requests a GPU can hold.",
    azure: "Typically deployed on AKS GPU node pools or single GPU VMs (NC/ND series); the SKU's GPU memory bounds model size and context length.",
    related: ["inference", "kv-cache", "batch-size", "triton-inference-server", "llm"],
  },
  {
    id: "onnx",
    term: "ONNX (Open Neural Network Exchange)",
    aliases: ["onnx", "open neural network exchange", "onnx runtime", "onnxruntime"],
    definition:
      "An open file format for trained models, plus ONNX Runtime, a cross-platform engine that runs them on CPU or GPU. It lets a model trained in one framework run elsewhere.",
    whyInfraCares: "ONNX decouples the training framework from the serving stack, and ONNX Runtime can often serve smaller models on CPU, saving GPU capacity.",
    azure: "ONNX Runtime is a Microsoft-led open-source project; Azure Machine Learning and Triton can deploy ONNX models.",
    related: ["inference", "quantization", "triton-inference-server"],
  },

  // ── Monitoring and utilisation ───────────────────────────────────────────
  {
    id: "dcgm",
    term: "DCGM (NVIDIA Data Center GPU Manager)",
    aliases: ["dcgm", "data center gpu manager", "datacenter gpu manager", "dcgm exporter", "dcgm-exporter"],
    definition:
      "NVIDIA's tool suite for monitoring and managing data-centre GPUs. Its exporter publishes metrics such as DCGM_FI_DEV_GPU_UTIL, DCGM_FI_DEV_FB_USED and DCGM_FI_PROF_GR_ENGINE_ACTIVE in Prometheus format.",
    whyInfraCares:
      'It is the standard source for GPU activity, memory and power — the data needed to find idle or "parked" GPUs. GPU_UTIL is coarse; GR_ENGINE_ACTIVE is better but is not in the default counter set and must be enabled.',
    azure:
      "On AKS, run the DCGM exporter (Helm) with a PodMonitor into Azure Managed Prometheus and Grafana. Azure Advisor's idle-VM checks use CPU and network only, not GPU metrics.",
    related: ["idle-gpu", "utilization", "aks", "mig", "nvidia-smi"],
  },
  {
    id: "nvidia-smi",
    term: "nvidia-smi",
    aliases: ["nvidia-smi", "nvidia smi", "nvidiasmi"],
    definition: "NVIDIA's command-line tool that lists the GPUs on a machine with their utilisation, memory use, temperature, power and running processes.",
    whyInfraCares: "The first check that a GPU VM sees its GPUs and driver; for fleet monitoring use DCGM or Telegraf rather than ad-hoc runs.",
    azure:
      "Telegraf's nvidia_smi input can ship these readings to Azure Monitor custom metrics; on SR-IOV sizes such as NC RTX PRO 6000 v6, power and thermal data are not visible.",
    related: ["dcgm", "utilization", "cuda"],
  },
  {
    id: "utilization",
    term: "GPU utilisation",
    aliases: ["utilization", "utilisation", "gpu utilization", "gpu utilisation", "gpu util", "gpu usage"],
    definition: 'How busy a GPU is. The common metric (DCGM_FI_DEV_GPU_UTIL, nvidia-smi "GPU-Util") is the share of time any kernel was running, so one tiny kernel can show 100%.',
    whyInfraCares:
      "Utilisation drives rightsizing, idle detection and chargeback; engine activity (DCGM_FI_PROF_GR_ENGINE_ACTIVE) gives a truer picture, and memory in use reveals parked jobs.",
    azure:
      "Standard Azure VM metrics don't include GPU activity: send it via the DCGM exporter to Azure Managed Prometheus (AKS) or Telegraf's nvidia_smi plugin to Azure Monitor (VMs).",
    related: ["idle-gpu", "dcgm", "nvidia-smi", "mig", "chargeback"],
  },
  {
    id: "idle-gpu",
    term: "Idle GPU",
    aliases: ["idle gpu", "idle gpus", "gpu idle", "idle gpu vm", "parked gpu", "unused gpu", "unused gpus", "wasted gpu"],
    definition: 'A GPU that is allocated, and billed, but doing little or no work. A "parked" GPU holds memory for a job that isn\'t computing.',
    whyInfraCares: "GPUs bill by the hour whether busy or not, so idle GPUs are usually the largest avoidable AI infrastructure cost.",
    azure:
      "Azure Advisor's shutdown recommendation looks only at CPU and network, so it can miss idle GPU VMs with busy CPUs. This bot's default (not a vendor rule): GR_ENGINE_ACTIVE below 0.05 on every GPU for 60 minutes or more counts as idle.",
    related: ["utilization", "dcgm", "deallocated", "finops", "autoscaling"],
  },
  {
    id: "deallocated",
    term: "Deallocated vs stopped VM",
    aliases: ["deallocated", "deallocate", "deallocation", "stopped vm", "stopped vms", "stopped deallocated"],
    definition:
      "A deallocated Azure VM has released its hardware and no longer incurs compute charges. A VM that is only stopped (for example shut down from inside the OS) keeps its hardware and keeps billing compute.",
    whyInfraCares: "Shutting down a GPU VM from the OS does not stop the bill — deallocate it through Azure (portal, CLI or API). Disks are billed either way.",
    azure: "Resource Graph reports PowerState/deallocated vs PowerState/stopped. Restarting a deallocated GPU VM can fail if the region is short of capacity.",
    related: ["idle-gpu", "finops", "spot-vm", "nvme"],
  },

  // ── Azure OpenAI capacity ────────────────────────────────────────────────
  {
    id: "tpm",
    term: "TPM (Tokens Per Minute)",
    aliases: ["tpm", "tokens per minute", "token per minute", "tpm quota", "token rate limit", "token limit"],
    definition:
      "The rate limit for an Azure OpenAI deployment, counted in tokens per minute. TPM quota is assigned per subscription × region × model × deployment type, and your deployments carve it up.",
    whyInfraCares:
      "TPM is the capacity unit for pay-as-you-go LLM use: too little means HTTP 429 throttling. Each request's cost is estimated up front, including max_tokens, so you can be throttled below your apparent usage.",
    azure:
      "Azure OpenAI sets RPM in proportion to TPM; for older chat models 1 capacity unit = 1,000 TPM = 6 RPM. Predictable high volume may be better served by PTUs. See `openai quota` for TPM left per model and region, and `openai where <model> <n>k tpm` for regions with capacity.",
    related: ["rpm", "ptu", "quota", "tokens", "azure-openai", "throttling"],
  },
  {
    id: "rpm",
    term: "RPM (Requests Per Minute)",
    aliases: ["rpm", "requests per minute", "request per minute", "request rate limit", "request limit"],
    definition: "The number of API calls per minute a deployment accepts. In Azure OpenAI it follows from the deployment's TPM rather than being set separately.",
    whyInfraCares:
      "RPM is enforced over short windows, not the whole minute: at 600 RPM, bursts above 10 requests per second get HTTP 429 even if the minute's total is within the limit.",
    azure:
      "The TPM-to-RPM ratio varies by model; for older chat models 1 capacity unit = 1,000 TPM = 6 RPM. Smooth client traffic and retry with backoff on 429. See `openai quota` for the RPM your remaining TPM allows.",
    related: ["tpm", "ptu", "throttling", "azure-openai"],
  },
  {
    id: "ptu",
    term: "PTU (Provisioned Throughput Unit)",
    aliases: [
      "ptu",
      "ptus",
      "provisioned throughput",
      "provisioned throughput unit",
      "provisioned throughput units",
      "throughput unit",
      "throughput units",
      "provisioned deployment",
      "provisioned deployments",
    ],
    definition:
      "A unit of normalized model-processing capacity that you reserve for an Azure OpenAI deployment instead of paying per token. How many tokens per minute a PTU delivers depends on the model and the input/output mix.",
    whyInfraCares: "PTUs turn LLM spend into a fixed hourly cost with reserved capacity — good for steady, high volume; wasted money when the deployment sits idle.",
    azure:
      "Billed hourly per deployed PTU, with reservations for a discount; PTU quota is per region and model-independent (since 12 Aug 2024). Deployments have a minimum and step — e.g. gpt-4o global/data zone: minimum 15 PTU, steps of 5; size with the Foundry capacity calculator. See `openai quota` for PTUs left per region, `openai where <model> <n> ptu` for regions with capacity, and `openai idle` for PTUs sitting unused.",
    related: ["tpm", "rpm", "azure-openai", "reserved-instance", "quota", "deployment-type"],
  },
  {
    id: "deployment-type",
    term: "Deployment type (Azure OpenAI)",
    aliases: ["deployment type", "deployment types", "global deployment", "data zone", "data zone deployment", "regional deployment", "standard deployment", "global standard"],
    definition:
      "How an Azure OpenAI deployment is hosted and where requests may be processed — global, data zone or regional — in either pay-as-you-go (standard) or provisioned (PTU) form.",
    whyInfraCares: "It affects data residency, which quota applies and the capacity minimums, so it belongs in both compliance and capacity planning.",
    azure:
      "TPM quota is assigned per deployment type, and PTU minimums differ too — e.g. gpt-4o needs at least 15 PTU (steps of 5) global/data zone, but 50 (steps of 50) regional.",
    related: ["azure-openai", "ptu", "tpm", "quota"],
  },
  {
    id: "throttling",
    term: "Throttling (HTTP 429)",
    aliases: ["throttling", "throttled", "throttle", "429", "http 429", "rate limit", "rate limits", "rate limiting", "too many requests"],
    definition: "A service rejecting requests because a rate limit was exceeded, usually with HTTP 429 and a Retry-After header.",
    whyInfraCares: "Clients must back off and retry with jitter; persistent 429s mean you need more quota, smoother traffic or a different capacity model.",
    azure:
      "Azure OpenAI throttles on TPM and RPM, estimating each request's tokens up front (including max_tokens); ARM and Cost Management APIs have their own per-subscription and per-tenant limits.",
    related: ["tpm", "rpm", "quota", "ptu"],
  },
  {
    id: "azure-openai",
    term: "Azure OpenAI",
    aliases: ["azure openai", "azure open ai", "azure openai service", "aoai", "openai", "open ai"],
    definition: "Microsoft's managed service for OpenAI models (GPT chat models, embeddings, image and speech models) running in Azure, now part of Azure AI Foundry.",
    whyInfraCares:
      "Capacity is governed by quota — TPM per subscription × region × model × deployment type for pay-as-you-go, or PTUs for provisioned — and 429 errors are usually rate limits, not outages.",
    azure: "Deployment type (global, data zone, regional) affects where data is processed and which quota applies; the service supports Private Link and Entra ID authentication.",
    related: ["tpm", "rpm", "ptu", "azure-ai-foundry", "private-link", "deployment-type"],
  },
  {
    id: "azure-ai-foundry",
    term: "Azure AI Foundry",
    aliases: ["azure ai foundry", "ai foundry", "foundry", "azure ai studio", "ai studio", "microsoft foundry"],
    definition:
      "Microsoft's platform for building generative-AI applications: a model catalogue, model deployments (including Azure OpenAI), prompt tooling, evaluation and agents, organised into projects.",
    whyInfraCares: "It is where application teams create model deployments, so quota, Private Link networking, identity and cost tracking need to be designed around it.",
    azure: "Formerly Azure AI Studio. It also hosts the capacity calculator used to size PTU deployments.",
    related: ["azure-openai", "azure-machine-learning", "foundation-model", "ptu"],
  },
  {
    id: "azure-machine-learning",
    term: "Azure Machine Learning",
    aliases: ["azure machine learning", "azure ml", "azureml", "aml"],
    definition:
      "Azure's managed platform for the ML lifecycle: workspaces, compute instances and clusters, jobs, pipelines, a model registry and managed online and batch endpoints.",
    whyInfraCares: "It provisions GPU compute for you — counting against your VM-family quota — and needs VNet, storage and identity set up like any other workload.",
    azure:
      "Compute instances can shut down when idle (idleTimeBeforeShutdown, 15 minutes to 3 days, based on interactive activity rather than GPU load); compute clusters can scale to zero.",
    related: ["mlops", "mlflow", "model-registry", "azure-ai-foundry", "vcpu-quota-family"],
  },

  // ── Models and LLM concepts ──────────────────────────────────────────────
  {
    id: "llm",
    term: "LLM (Large Language Model)",
    aliases: ["llm", "llms", "large language model", "large language models", "language model", "language models", "gpt"],
    definition: "A transformer-based model trained on very large amounts of text that generates text one token at a time. GPT-4o, Llama and Mistral models are examples.",
    whyInfraCares: "LLMs are memory-bound: weights plus KV cache must fit in GPU memory, so model size dictates GPU type and count, and serving cost scales with tokens.",
    azure: "Use them as a service through Azure OpenAI / Azure AI Foundry (per token or per PTU), or self-host open-weight models on NC/ND GPU VMs or AKS.",
    related: ["transformer", "tokens", "kv-cache", "slm", "azure-openai", "foundation-model"],
  },
  {
    id: "slm",
    term: "SLM (Small Language Model)",
    aliases: ["slm", "slms", "small language model", "small language models"],
    definition: "A language model with far fewer parameters than a typical LLM, built to be cheaper and faster, often for a narrower task.",
    whyInfraCares: "An SLM can often run on a single smaller GPU, or even on CPU once quantized, which changes both the hardware and the cost picture.",
    azure: "Azure AI Foundry offers small models (such as Microsoft's Phi family); a small or quantized model can fit on a single-GPU size such as NCasT4_v3 (one T4, 16 GB).",
    related: ["llm", "quantization", "foundation-model", "nc-series"],
  },
  {
    id: "foundation-model",
    term: "Foundation model",
    aliases: [
      "foundation model",
      "foundation models",
      "base model",
      "base models",
      "pretrained model",
      "pre trained model",
      "frontier model",
      "open weights",
      "open weight model",
      "open weight models",
    ],
    definition:
      'A large model pre-trained on broad data and then adapted — by prompting, RAG or fine-tuning — to many tasks. "Open-weight" models can be downloaded and self-hosted.',
    whyInfraCares: "Whether a model is API-only or open-weight decides the infrastructure: a managed endpoint with quota, or your own GPUs, storage and serving stack.",
    azure: "The Azure AI Foundry model catalogue offers both: Azure OpenAI and other API models, and open models you can deploy to managed compute.",
    related: ["llm", "fine-tuning", "azure-ai-foundry", "slm"],
  },
  {
    id: "transformer",
    term: "Transformer",
    aliases: ["transformer", "transformers", "transformer architecture", "attention", "self attention"],
    definition: 'The neural-network architecture behind today\'s LLMs and many vision models, built around "attention", which lets every token weigh every other token.',
    whyInfraCares: "Attention cost grows with sequence length, which is why long contexts need more GPU memory and compute.",
    azure: "Nearly every model in Azure OpenAI and the Azure AI Foundry catalogue is transformer-based.",
    related: ["llm", "kv-cache", "context-window", "deep-learning"],
  },
  {
    id: "parameters",
    term: "Parameters / model weights",
    aliases: ["parameters", "parameter", "params", "weights", "model weights", "model size", "parameter count"],
    definition: 'The learned numbers inside a model. Model size is quoted in parameters ("7B" = 7 billion); the weights are those parameters saved to files.',
    whyInfraCares:
      "Parameter count × bytes per parameter (2 at FP16/BF16) gives the memory needed just to hold the weights, before KV cache and overhead — a first estimate of the GPUs required.",
    azure: "Weights for self-hosted models usually live in Blob storage or a model registry and are loaded onto the GPUs at start-up, which is a big part of cold start.",
    related: ["hbm", "quantization", "mixed-precision", "llm", "cold-start"],
  },
  {
    id: "tokens",
    term: "Tokens",
    aliases: ["token", "tokens", "tokenization", "tokenisation", "tokenizer", "tokeniser"],
    definition: "The chunks of text a language model reads and writes — roughly word pieces. Both the prompt (input) and the completion (output) are counted in tokens.",
    whyInfraCares: "Tokens are the unit of LLM cost, rate limits (TPM) and context size, so capacity and budget planning are done in tokens.",
    azure: "Azure OpenAI bills pay-as-you-go usage per token and rate-limits each deployment in tokens per minute; PTU deployments are sized from expected tokens per minute.",
    related: ["tpm", "context-window", "llm", "ptu"],
  },
  {
    id: "context-window",
    term: "Context window",
    aliases: ["context window", "context windows", "context length", "context size", "context", "max context"],
    definition: "The maximum number of tokens — prompt plus response — a model can consider in one request.",
    whyInfraCares: "Longer contexts mean more GPU memory (KV cache), slower responses and more tokens billed or counted against TPM per request.",
    azure: "Each Azure OpenAI model has a fixed context window; self-hosted servers let you cap it to fit the GPU memory you have.",
    related: ["tokens", "kv-cache", "rag", "tpm"],
  },
  {
    id: "kv-cache",
    term: "KV cache",
    aliases: ["kv cache", "key value cache", "kvcache", "paged attention", "pagedattention"],
    definition:
      "Memory an LLM keeps for each active request so it doesn't recompute attention over earlier tokens. It grows with context length and with the number of concurrent requests.",
    whyInfraCares: "At long contexts the KV cache can rival the weights in size, capping how many users one GPU can serve at once.",
    azure: "It matters when self-hosting on Azure GPUs, where servers such as vLLM manage it (PagedAttention); with Azure OpenAI it is handled for you.",
    related: ["context-window", "hbm", "vllm", "llm"],
  },
  {
    id: "batch-size",
    term: "Batch size",
    aliases: ["batch size", "batch sizes", "batch", "batching", "micro batch", "mini batch", "minibatch", "continuous batching", "dynamic batching"],
    definition: "How many examples or requests the GPU processes together in one pass. In training it is a hyperparameter; in serving, batching groups concurrent requests.",
    whyInfraCares:
      "Bigger batches use the GPU more efficiently (higher throughput) but need more memory and, in serving, add latency — the core latency-versus-throughput trade-off.",
    azure: "Batch size is set in your framework or inference server (e.g. vLLM's continuous batching), not by Azure; it largely decides how much GPU memory you need.",
    related: ["throughput", "latency", "hbm", "hyperparameter", "vllm"],
  },
  {
    id: "latency",
    term: "Latency",
    aliases: ["latency", "response time", "time to first token", "ttft", "p99 latency", "tail latency"],
    definition: "How long a single request takes, end to end. For LLMs it is usually split into time to first token and time per output token.",
    whyInfraCares: "User-facing inference has latency targets (often at p95/p99); meeting them can require smaller batches, more replicas or faster GPUs.",
    azure:
      "Provisioned (PTU) Azure OpenAI deployments reserve capacity, which generally makes latency more consistent than shared pay-as-you-go; keep apps and model endpoints in the same region.",
    related: ["throughput", "batch-size", "inference", "cold-start", "ptu"],
  },
  {
    id: "throughput",
    term: "Throughput",
    aliases: ["throughput", "tokens per second", "requests per second", "rps", "tokens per sec"],
    definition: "How much work a system completes per unit of time — for example requests per second or tokens per second across all users.",
    whyInfraCares: "Throughput determines how many GPUs or PTUs a given load needs; raising it with bigger batches usually costs some latency.",
    azure: "Azure OpenAI expresses throughput limits as TPM/RPM for pay-as-you-go and as PTUs for provisioned capacity; for self-hosted models, measure tokens per second per GPU.",
    related: ["latency", "batch-size", "tpm", "ptu"],
  },
  {
    id: "quantization",
    term: "Quantization",
    aliases: ["quantization", "quantisation", "quantized", "quantised", "quantize", "quantise", "int8", "int4", "4 bit", "8 bit", "gptq", "awq"],
    definition:
      "Storing a model's weights (and sometimes activations) in fewer bits — e.g. 8-bit or 4-bit integers instead of 16-bit floats — to cut memory and speed up inference at a small accuracy cost.",
    whyInfraCares: "A quantized model may fit on fewer or smaller GPUs, which can cut serving cost; re-test quality after quantizing.",
    azure: "Self-hosted servers such as vLLM and ONNX Runtime run quantized models on Azure GPU VMs; managed Azure OpenAI models are not something you quantize yourself.",
    related: ["mixed-precision", "hbm", "inference", "vllm", "onnx", "parameters"],
  },
  {
    id: "embeddings",
    term: "Embeddings",
    aliases: ["embedding", "embeddings", "vector embedding", "vector embeddings", "embedding model", "embedding models"],
    definition: "Lists of numbers (vectors) that represent the meaning of text, images or other data, so that similar things end up close together.",
    whyInfraCares: "Embedding whole document collections is a bulk, token- or GPU-heavy batch job, and the vectors must be stored and indexed — usually in a vector database.",
    azure: "Azure OpenAI provides embedding models billed per token; the vectors are typically stored in Azure AI Search or a database with vector support.",
    related: ["vector-database", "rag", "tokens"],
  },
  {
    id: "vector-database",
    term: "Vector database",
    aliases: ["vector database", "vector databases", "vector db", "vector store", "vector index", "vector search"],
    definition: "A database or index built to store embeddings and quickly find the ones nearest to a query vector.",
    whyInfraCares: "It is a new stateful tier to size, secure, back up and keep in sync with source data; index size grows with document count × vector dimension.",
    azure: "Common Azure options are Azure AI Search and the vector features of Azure Cosmos DB or Azure Database for PostgreSQL (pgvector).",
    related: ["embeddings", "rag"],
  },
  {
    id: "rag",
    term: "RAG (Retrieval-Augmented Generation)",
    aliases: ["rag", "retrieval augmented generation", "retrieval-augmented generation", "grounding"],
    definition:
      "A pattern where the application first searches your own data (often a vector index) and puts the relevant passages into the prompt, so the LLM answers from current, private information without retraining.",
    whyInfraCares: "RAG is mostly a data-pipeline and search problem: ingestion, embeddings, index freshness, access control and network paths to the data.",
    azure: "A typical Azure build is Azure OpenAI plus Azure AI Search over data in Blob storage or ADLS Gen2, connected privately through Private Link.",
    related: ["embeddings", "vector-database", "prompt", "llm", "context-window"],
  },
  {
    id: "prompt",
    term: "Prompt",
    aliases: ["prompt", "prompts", "system prompt", "prompt engineering"],
    definition: "The input text — instructions, context and question — sent to a language model. A system prompt sets standing instructions for an application.",
    whyInfraCares: "Prompt length drives token usage, TPM consumption and latency, and prompts can carry sensitive data into logs if not handled carefully.",
    azure: "Azure OpenAI counts prompt tokens toward TPM and cost; Azure AI Foundry has tooling to manage and evaluate prompts.",
    related: ["tokens", "context-window", "rag", "temperature"],
  },
  {
    id: "temperature",
    term: "Temperature (sampling)",
    aliases: ["temperature", "top p", "sampling", "sampling temperature"],
    definition: "A generation setting that controls randomness: values near 0 give focused, repeatable answers; higher values give more varied output.",
    whyInfraCares: "It has no cost or capacity impact, but it explains why the same request can return different answers — relevant for testing and caching.",
    azure: "Set per request in the Azure OpenAI API, not on the deployment.",
    related: ["prompt", "llm", "inference"],
  },
  {
    id: "ai-agent",
    term: "AI agent",
    aliases: ["ai agent", "ai agents", "agent", "agents", "agentic", "agentic ai"],
    definition: "An application where an LLM plans steps and calls tools or APIs (search, code, tickets) in a loop to complete a task, instead of answering once.",
    whyInfraCares:
      "Agents multiply token usage per user request and call internal systems, so they need rate-limit headroom, careful identity and permission design, and audit logging.",
    azure: "Azure AI Foundry includes an agent service; every step an agent takes consumes Azure OpenAI quota like any other call.",
    related: ["llm", "tpm", "azure-ai-foundry", "rag"],
  },
  {
    id: "hallucination",
    term: "Hallucination",
    aliases: ["hallucination", "hallucinations", "hallucinate", "hallucinating"],
    definition: "When a model produces fluent but false or unsupported output.",
    whyInfraCares: "It is a quality problem rather than an infra one, but it drives RAG and evaluation work that needs data pipelines and compute.",
    azure: "Azure AI Foundry offers evaluation tooling, such as groundedness checks, to measure it.",
    related: ["rag", "llm", "prompt"],
  },

  // ── Training concepts ────────────────────────────────────────────────────
  {
    id: "distributed-training",
    term: "Distributed training",
    aliases: ["distributed training", "multi node training", "multinode training", "multi gpu training", "multigpu training"],
    definition: "Training one model on many GPUs, often across many VMs, using data parallelism, model parallelism or both.",
    whyInfraCares: "It needs capacity for all nodes at the same time, a low-latency fabric, shared fast storage and checkpointing — one failed node can stall the whole job.",
    azure: "Use ND-series VMs with InfiniBand (e.g. ND H100 v5), orchestrated by Azure Machine Learning, AKS or Slurm on Azure CycleCloud.",
    related: ["data-parallelism", "model-parallelism", "infiniband", "nccl", "checkpoint", "nd-series"],
  },
  {
    id: "data-parallelism",
    term: "Data parallelism",
    aliases: ["data parallelism", "data parallel", "ddp", "distributed data parallel", "fsdp"],
    definition:
      "Running a copy of the model on each GPU, giving each GPU a different slice of the data, and averaging the gradients after every step. FSDP also shards the model's state across GPUs to save memory.",
    whyInfraCares: "It is the simplest way to scale training; the gradient averaging (all-reduce) makes network bandwidth the limit as GPU count grows.",
    azure: "Works across NC or ND VMs; at larger scale, ND-series InfiniBand with NCCL keeps the all-reduce from becoming the bottleneck.",
    related: ["model-parallelism", "distributed-training", "nccl", "gradient"],
  },
  {
    id: "model-parallelism",
    term: "Model parallelism (tensor / pipeline)",
    aliases: ["model parallelism", "model parallel", "tensor parallelism", "tensor parallel", "pipeline parallelism", "pipeline parallel", "model sharding", "sharding"],
    definition:
      "Splitting one model across several GPUs because it doesn't fit, or runs too slowly, on one. Tensor parallelism splits each layer; pipeline parallelism puts different layers on different GPUs.",
    whyInfraCares: "It generates heavy GPU-to-GPU traffic, so it needs NVLink inside a server and InfiniBand between servers; topology matters for performance.",
    azure: "8-GPU NVLink VMs such as ND H100 v5 or ND H200 v5 suit tensor parallelism within a VM; splits across VMs rely on their InfiniBand.",
    related: ["data-parallelism", "distributed-training", "nvlink", "infiniband"],
  },
  {
    id: "checkpoint",
    term: "Checkpoint",
    aliases: ["checkpoint", "checkpoints", "checkpointing", "model checkpoint"],
    definition: "A snapshot of a model's weights and training state, written periodically during training so the job can resume after a failure or eviction.",
    whyInfraCares: "Checkpoints can be very large and are written in bursts; storage throughput and checkpoint frequency decide how much work a failure or spot eviction costs.",
    azure: "Write to local NVMe first, then copy to Blob storage/ADLS Gen2 or a shared file system; essential when training on spot VMs.",
    related: ["training", "spot-vm", "nvme", "blob-storage"],
  },
  {
    id: "epoch",
    term: "Epoch",
    aliases: ["epoch", "epochs"],
    definition: "One complete pass of the training data through the model. Training usually runs for several epochs or a fixed number of steps.",
    whyInfraCares: "Epoch count × time per epoch gives job duration — what you need to estimate GPU-hours and cost.",
    azure: "Not an Azure setting: it is set in the training code or the Azure Machine Learning job's parameters.",
    related: ["training", "batch-size", "hyperparameter", "checkpoint"],
  },
  {
    id: "gradient",
    term: "Gradient",
    aliases: ["gradient", "gradients", "backpropagation", "backprop", "gradient descent"],
    definition: "The direction and size of the change to each model weight that would reduce the error, computed by backpropagation at every training step.",
    whyInfraCares: "In multi-GPU training, gradients are exchanged between all GPUs every step — which is why training clusters need high-bandwidth interconnects.",
    azure: "Gradient exchange uses NCCL over NVLink inside a VM and over InfiniBand between ND-series VMs.",
    related: ["training", "data-parallelism", "nccl", "infiniband"],
  },
  {
    id: "hyperparameter",
    term: "Hyperparameter",
    aliases: ["hyperparameter", "hyperparameters", "hyper parameter", "hyper parameters", "hyperparameter tuning", "hpo", "sweep"],
    definition: "A setting chosen before training rather than learned — for example learning rate, batch size or number of epochs.",
    whyInfraCares: "Hyperparameter tuning launches many trial jobs, which can multiply GPU demand and cost quickly; cap the trials and use early termination.",
    azure: "Azure Machine Learning sweep jobs run trials on a compute cluster and can stop poor ones early.",
    related: ["batch-size", "epoch", "training", "azure-machine-learning"],
  },
  {
    id: "lora",
    term: "LoRA (Low-Rank Adaptation)",
    aliases: ["lora", "low rank adaptation", "low-rank adaptation", "qlora", "peft", "adapter", "adapters"],
    definition: "A parameter-efficient fine-tuning method that freezes the base model and trains small add-on matrices (adapters). QLoRA does the same on a quantized base model.",
    whyInfraCares: "LoRA cuts fine-tuning memory and time sharply, so jobs fit on fewer or smaller GPUs, and many small adapters can share one served base model.",
    azure: "Common when fine-tuning open models on NC-series VMs or Azure Machine Learning; Azure OpenAI's managed fine-tuning handles the method for you.",
    related: ["fine-tuning", "quantization", "foundation-model"],
  },
  {
    id: "rlhf",
    term: "RLHF (Reinforcement Learning from Human Feedback)",
    aliases: ["rlhf", "reinforcement learning from human feedback", "dpo", "preference tuning", "preference fine tuning"],
    definition: "A training stage that uses human (or AI) preference ratings to steer a model toward helpful, safe answers. DPO is a simpler related method.",
    whyInfraCares: "It mostly matters to model builders: it needs training capacity plus labelling workflows, and teams consuming models rarely run it themselves.",
    azure: "Azure OpenAI models come already aligned; preference fine-tuning may be offered for some models.",
    related: ["fine-tuning", "training", "llm"],
  },
  {
    id: "model-registry",
    term: "Model registry",
    aliases: ["model registry", "model registries", "model repository", "model store"],
    definition:
      "A versioned store of trained models with metadata — who trained them, on what data, with what metrics, at which stage — used to promote models from test to production.",
    whyInfraCares: "It is the source of truth for what is deployed and makes rollback and audit possible; large model files also drive storage sizing.",
    azure: "Azure Machine Learning has workspace and shared registries that work with MLflow's model registry APIs.",
    related: ["mlflow", "mlops", "azure-machine-learning", "checkpoint"],
  },
  {
    id: "mlflow",
    term: "MLflow",
    aliases: ["mlflow", "ml flow"],
    definition: "An open-source tool for tracking ML experiments (parameters, metrics, artifacts) and for registering and packaging models.",
    whyInfraCares: "It is the de facto standard interface for experiment tracking; infra teams host or integrate its tracking server and artifact storage.",
    azure: "Azure Machine Learning workspaces act as an MLflow tracking server and model registry, so you don't need to run your own.",
    related: ["model-registry", "mlops", "azure-machine-learning"],
  },

  // ── Capacity, pricing and FinOps ─────────────────────────────────────────
  {
    id: "quota",
    term: "Quota",
    aliases: ["quota", "quotas", "quota limit", "quota limits", "quota increase", "subscription quota"],
    definition: "The maximum amount of a resource your subscription may use in a region — counted in vCPUs per VM family for VMs, and in TPM or PTUs for Azure OpenAI.",
    whyInfraCares:
      "GPU quota is often small or zero by default and increases can take a support ticket, so it gates every GPU project — and quota is not a promise that capacity is available.",
    azure:
      "Check it with the Compute usages API (az vm list-usage) and request increases through Microsoft.Quota; GPU families often return ContactSupport, meaning a support request.",
    related: ["vcpu-quota-family", "sku", "tpm", "ptu", "availability-zone"],
  },
  {
    id: "vcpu-quota-family",
    term: "vCPU quota family",
    aliases: ["vcpu quota family", "quota family", "vm family", "vm families", "vcpu family", "vcpu quota", "family quota", "vm family quota"],
    definition:
      "The bucket Azure counts VM quota in: each VM series belongs to a family (e.g. standardNDSH100v5Family), and quota is the total vCPUs you may run in it per region.",
    whyInfraCares: 'Running two ND96isr_H100_v5 VMs needs 192 vCPUs of that family\'s quota, not "16 GPUs" — the most common quota surprise.',
    azure:
      'Family names are inconsistent in case and spacing across APIs ("Standard NCASv3_T4 Family" vs "StandardNCADSA100v4Family"); compare them case-insensitively with spaces removed.',
    related: ["quota", "sku", "nd-series", "nc-series"],
  },
  {
    id: "spot-vm",
    term: "Spot VM",
    aliases: ["spot vm", "spot vms", "spot", "spot instance", "spot instances", "low priority", "low priority vm", "low priority vms", "preemptible", "eviction"],
    definition: "Spare Azure capacity sold at a large discount that Azure can evict at short notice when it needs the capacity back.",
    whyInfraCares: "Good for interruptible work — checkpointed training, batch inference, hyperparameter sweeps — and never for anything that can't tolerate eviction.",
    azure:
      'Spot prices are separate meters (skuName ending " Spot"); spot/low-priority quota is reportedly one regional bucket (lowPriorityCores) rather than per VM family — verify in your subscription.',
    related: ["checkpoint", "quota", "reserved-instance", "savings-plan", "pay-as-you-go"],
  },
  {
    id: "pay-as-you-go",
    term: "Pay-as-you-go (on-demand)",
    aliases: ["pay as you go", "payg", "on demand", "on-demand", "consumption", "pay per token", "pay per use"],
    definition: "Paying list price per unit used (VM hours, tokens) with no commitment.",
    whyInfraCares: "The most flexible option and the highest unit price; the baseline against which reservations, savings plans, spot and PTUs are compared.",
    azure: "In the Retail Prices API these rows have priceType 'Consumption'; for Azure OpenAI it means per-token billing on standard deployments limited by TPM quota.",
    related: ["reserved-instance", "savings-plan", "spot-vm", "ptu", "tpm"],
  },
  {
    id: "reserved-instance",
    term: "Reserved instance (reservation)",
    aliases: ["reserved instance", "reserved instances", "reservation", "reservations", "ri", "azure reservation", "reserved vm instance", "reserved vm instances"],
    definition: "A one- or three-year commitment to a specific VM size (or service capacity) in a region, in exchange for a lower price than pay-as-you-go.",
    whyInfraCares:
      "Worth it for GPUs that run continuously, wasted money if the workload moves, shrinks or changes SKU. It is primarily a billing discount; guaranteed capacity is a separate product (capacity reservations).",
    azure: "Azure OpenAI PTUs can also be reserved for a discount on hourly PTU billing; amortized-cost views spread the purchase over its term.",
    related: ["savings-plan", "spot-vm", "ptu", "tco", "amortized-cost"],
  },
  {
    id: "savings-plan",
    term: "Savings plan (Azure savings plan for compute)",
    aliases: ["savings plan", "savings plans", "azure savings plan", "savings plan for compute"],
    definition: "A one- or three-year commitment to spend a fixed hourly amount on compute, in exchange for discounted rates across VM sizes and regions.",
    whyInfraCares: "More flexible than reservations when GPU SKUs or regions may change, usually at a smaller discount.",
    azure: "The Retail Prices API returns savings-plan prices when called with api-version 2023-01-01-preview.",
    related: ["reserved-instance", "tco", "finops", "pay-as-you-go"],
  },
  {
    id: "amortized-cost",
    term: "Amortized vs actual cost",
    aliases: ["amortized cost", "amortised cost", "actual cost", "amortization", "amortisation"],
    definition:
      "Actual cost shows charges as billed, so a reservation appears as a lump when bought. Amortized cost spreads that purchase over its term and assigns it to the resources that used it.",
    whyInfraCares: "Use amortized cost for chargeback and unit costs (e.g. per GPU-hour); use actual cost for cash flow and invoice reconciliation.",
    azure: "The Cost Management Query API takes type ActualCost or AmortizedCost; cost data refreshes about every 4 hours.",
    related: ["reserved-instance", "savings-plan", "chargeback", "finops"],
  },
  {
    id: "tco",
    term: "TCO (Total Cost of Ownership)",
    aliases: ["tco", "total cost of ownership"],
    definition: "The full cost of running something over its life — not just GPU-hours but storage, networking and egress, licences, support, staff time and idle capacity.",
    whyInfraCares: 'Comparing "API per token" with "self-host on GPUs", or cloud with on-premises, only makes sense at TCO level, including realistic utilisation.',
    azure: "Azure inputs include VM or PTU rates, reservations or savings plans, storage and egress; amortized-cost views spread commitments over their term.",
    related: ["finops", "reserved-instance", "savings-plan", "egress", "chargeback"],
  },
  {
    id: "chargeback",
    term: "Chargeback / showback",
    aliases: ["chargeback", "showback", "charge back", "show back", "cost allocation", "internal billing"],
    definition: "Allocating cloud costs to the teams that used them. Showback reports the cost to them; chargeback actually bills it to their budget.",
    whyInfraCares: "Shared GPU clusters and PTU deployments are hard to attribute; tags, per-team node pools or deployments, and utilisation data make it possible.",
    azure: "Cost Management can group costs by resource group or tag (grouping by TagKey in the Query API); shared resources need a usage-based split on top.",
    related: ["finops", "tco", "utilization", "amortized-cost"],
  },
  {
    id: "finops",
    term: "FinOps",
    aliases: ["finops", "fin ops", "cloud financial management", "cost optimization", "cost optimisation"],
    definition: "The practice of managing cloud spend as a shared responsibility of engineering, finance and the business: visibility, allocation, optimisation and forecasting.",
    whyInfraCares: "GPUs make FinOps urgent: one idle GPU VM costs far more per hour than typical CPU VMs, and commitments must match real usage.",
    azure: "Azure Cost Management, Advisor and the Retail Prices API supply the data; reservations, savings plans and PTU reservations are the main discount levers.",
    related: ["chargeback", "tco", "idle-gpu", "reserved-instance", "savings-plan"],
  },
];
