use std::pin::Pin;

use imaged_core::{Platform, Reference};
use imaged_images::{EngineError, ListOptions, PullOptions, RemoveOptions};
use imaged_proto::v1::{self as pb, images_server::Images};
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::{convert, to_status};

/// A channel for engine progress events and the task that forwards them, wrapped, to the client's stream.
fn forward_progress<T: Send + 'static>(
    tx: mpsc::Sender<Result<T, Status>>,
    wrap: fn(pb::Progress) -> T,
) -> (mpsc::Sender<imaged_images::ProgressEvent>, tokio::task::JoinHandle<()>) {
    let (ptx, mut prx) = mpsc::channel(64);
    let task = tokio::spawn(async move {
        while let Some(p) = prx.recv().await {
            if tx.send(Ok(wrap(convert::progress(p)))).await.is_err() {
                break;
            }
        }
    });
    (ptx, task)
}

pub struct ImagesService {
    pub images: imaged_images::Images,
    pub transfers: imaged_images::Transfers,
    pub content: imaged_images::Content,
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl Images for ImagesService {
    type PullStream = Stream2<pb::PullResponse>;
    type PushStream = Stream2<pb::PushResponse>;

    async fn pull(&self, req: Request<pb::PullRequest>) -> Result<Response<Self::PullStream>, Status> {
        let ns = convert::namespace(&req)?;
        let deadline = convert::deadline(&req, "Images/Pull");
        let r = req.into_inner();
        let reference =
            Reference::parse_docker(&r.reference).map_err(|e| to_status(EngineError::reference(&r.reference, e)))?;
        if r.all_tags
            && (reference.digest().is_some() || r.reference.contains(':') && reference.tag() != Some("latest"))
        {
            return Err(to_status(EngineError::InvalidFilter(
                "all_tags".into(),
                "give a repository without tag or digest".into(),
            )));
        }
        // `platform` may list several, comma-separated (as `docker buildx --platform`).
        let platforms = r
            .platform
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Platform::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| to_status(EngineError::Platform(e)))?;
        let opts = PullOptions {
            all_tags: r.all_tags,
            platforms,
            all_platforms: r.all_platforms,
            creds: convert::credentials(r.auth),
        };
        let (tx, rx) = mpsc::channel(64);
        let transfers = self.transfers.clone();
        tokio::spawn(async move {
            let (ptx, forward) = forward_progress(tx.clone(), |p| pb::PullResponse {
                event: Some(pb::pull_response::Event::Progress(p)),
            });
            // A client that goes away stops its pull (partial downloads stay in ingest/ for the next one);
            // another pull waiting on the same blobs takes the download over from the bytes kept.
            let pull = transfers.pull(&ns, &reference, opts, Some(ptx));
            let Some(result) = convert::while_wanted(&tx, deadline, "Images/Pull", pull).await else { return };
            let _ = forward.await;
            match result {
                Ok(outcomes) => {
                    for o in outcomes {
                        let result = pb::PullResult {
                            reference: o.reference.to_string(),
                            digest: o.digest.to_string(),
                            image_id: o.image_id.to_string(),
                            status: o.status,
                        };
                        let _ = tx
                            .send(Ok(pb::PullResponse { event: Some(pb::pull_response::Event::Result(result)) }))
                            .await;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(to_status(e))).await;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn push(&self, req: Request<pb::PushRequest>) -> Result<Response<Self::PushStream>, Status> {
        let ns = convert::namespace(&req)?;
        let deadline = convert::deadline(&req, "Images/Push");
        let r = req.into_inner();
        let reference =
            Reference::parse_docker(&r.reference).map_err(|e| to_status(EngineError::reference(&r.reference, e)))?;
        let creds = convert::credentials(r.auth);
        let platform = convert::platform(&r.platform)?;
        let (tx, rx) = mpsc::channel(64);
        let transfers = self.transfers.clone();
        tokio::spawn(async move {
            let (ptx, forward) = forward_progress(tx.clone(), |p| pb::PushResponse {
                event: Some(pb::push_response::Event::Progress(p)),
            });
            let push = transfers.push(&ns, &reference, r.all_tags, platform, creds, Some(ptx));
            let Some(result) = convert::while_wanted(&tx, deadline, "Images/Push", push).await else { return };
            let _ = forward.await;
            match result {
                Ok(outcomes) => {
                    for o in outcomes {
                        let result = pb::PushResult {
                            reference: o.reference.to_string(),
                            digest: o.digest.to_string(),
                            size: o.size as i64,
                        };
                        let _ = tx
                            .send(Ok(pb::PushResponse { event: Some(pb::push_response::Event::Result(result)) }))
                            .await;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(to_status(e))).await;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn search(&self, req: Request<pb::SearchRequest>) -> Result<Response<pb::SearchResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let (hits, source) = self
            .transfers
            .search(&ns, &r.term, r.limit.max(0) as usize, convert::filters(r.filters), convert::credentials(r.auth))
            .await
            .map_err(to_status)?;
        let results = hits
            .into_iter()
            .map(|h| pb::SearchResult {
                name: h.name,
                description: h.description,
                star_count: h.stars as i32,
                is_official: h.official,
                is_automated: h.automated,
            })
            .collect();
        Ok(Response::new(pb::SearchResponse { results, source: source.as_str().to_owned() }))
    }

    async fn list(&self, req: Request<pb::ListImagesRequest>) -> Result<Response<pb::ListImagesResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let opts = ListOptions { all: r.all, filters: convert::filters(r.filters) };
        let images = self.images.list(&ns, opts).await.map_err(to_status)?;
        Ok(Response::new(pb::ListImagesResponse { images: images.into_iter().map(convert::summary).collect() }))
    }

    async fn inspect(
        &self,
        req: Request<pb::InspectImageRequest>,
    ) -> Result<Response<pb::InspectImageResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let platform = convert::platform(&r.platform)?;
        let d = self.images.inspect(&ns, &convert::image_ref(&r.image)?, platform.as_ref()).await.map_err(to_status)?;
        Ok(Response::new(pb::InspectImageResponse { image: Some(convert::details(d, &r.fields)) }))
    }

    async fn history(&self, req: Request<pb::HistoryRequest>) -> Result<Response<pb::HistoryResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let platform = convert::platform(&r.platform)?;
        let rows =
            self.images.history(&ns, &convert::image_ref(&r.image)?, platform.as_ref()).await.map_err(to_status)?;
        Ok(Response::new(pb::HistoryResponse { entries: rows.into_iter().map(convert::history_entry).collect() }))
    }

    async fn tag(&self, req: Request<pb::TagRequest>) -> Result<Response<pb::TagResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let (source, name) = (convert::image_ref(&r.source)?, convert::reference(&r.target)?);
        let id = self.images.tag(&ns, &source, &name).await.map_err(to_status)?;
        Ok(Response::new(pb::TagResponse { reference: name.to_string(), image_id: id.to_string() }))
    }

    async fn remove(&self, req: Request<pb::RemoveImageRequest>) -> Result<Response<pb::RemoveImageResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let image = convert::image_ref(&r.image)?;
        let out = match convert::platform(&r.platform)? {
            Some(p) => self.images.remove_platform(&ns, &image, &p).await,
            None => self.images.remove(&ns, &image, RemoveOptions { force: r.force, no_prune: r.no_prune }).await,
        }
        .map_err(to_status)?;
        Ok(Response::new(pb::RemoveImageResponse {
            items: convert::delete_items(&out),
            space_reclaimed: out.space_reclaimed as i64,
        }))
    }

    async fn prune(&self, req: Request<pb::PruneImagesRequest>) -> Result<Response<pb::PruneImagesResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let out = self.images.prune(&ns, r.all, convert::filters(r.filters)).await.map_err(to_status)?;
        Ok(Response::new(pb::PruneImagesResponse {
            items: convert::delete_items(&out),
            space_reclaimed: out.space_reclaimed as i64,
        }))
    }

    async fn check(&self, req: Request<pb::CheckRequest>) -> Result<Response<pb::CheckResponse>, Status> {
        let r = req.into_inner();
        let report = self.content.check_and_repair(!r.quick, r.repair).await.map_err(to_status)?;
        Ok(Response::new(pb::CheckResponse {
            images: report.images as i64,
            blobs: report.blobs as i64,
            orphans: report.orphans as i64,
            problems: report.problems.iter().map(ToString::to_string).collect(),
            repaired: report.repaired,
        }))
    }

    async fn disk_usage(&self, req: Request<pb::DiskUsageRequest>) -> Result<Response<pb::DiskUsageResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let du = self.images.disk_usage(&ns).await.map_err(to_status)?;
        Ok(Response::new(pb::DiskUsageResponse {
            image_count: du.images.len() as i64,
            images: du
                .images
                .into_iter()
                .map(|i| pb::ImageUsage {
                    id: i.id.to_string(),
                    repo_tags: i.repo_tags.iter().map(|t| convert::familiar(t)).collect(),
                    created: convert::timestamp(i.created),
                    size: i.size as i64,
                    shared_size: i.shared_size as i64,
                    unique_size: i.unique_size as i64,
                    containers: i.containers as i64,
                })
                .collect(),
            logical_size: du.logical_size as i64,
            physical_size: du.physical_size as i64,
            reclaimable: du.reclaimable as i64,
            blob_count: du.blob_count as i64,
            active_images: du.active_images as i64,
        }))
    }
}
