use std::pin::Pin;

use imaged_images::{Engine, ListOptions, RemoveOptions};
use imaged_proto::v1::{self as pb, images_server::Images};
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::{convert, to_status, unimplemented::missing};

pub struct ImagesService {
    pub engine: Engine,
}

type Stream2<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl Images for ImagesService {
    type PullStream = Stream2<pb::PullResponse>;
    type PushStream = Stream2<pb::PushResponse>;

    async fn pull(&self, _: Request<pb::PullRequest>) -> Result<Response<Self::PullStream>, Status> {
        Err(missing("Pull", "registries"))
    }

    async fn push(&self, _: Request<pb::PushRequest>) -> Result<Response<Self::PushStream>, Status> {
        Err(missing("Push", "registries"))
    }

    async fn search(&self, _: Request<pb::SearchRequest>) -> Result<Response<pb::SearchResponse>, Status> {
        Err(missing("Search", "registries"))
    }

    async fn list(&self, req: Request<pb::ListImagesRequest>) -> Result<Response<pb::ListImagesResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let opts = ListOptions { all: r.all, filters: convert::filters(r.filters) };
        let images = self.engine.list(&ns, opts).await.map_err(to_status)?;
        Ok(Response::new(pb::ListImagesResponse { images: images.into_iter().map(convert::summary).collect() }))
    }

    async fn inspect(
        &self,
        req: Request<pb::InspectImageRequest>,
    ) -> Result<Response<pb::InspectImageResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let d = self.engine.inspect(&ns, &r.image).await.map_err(to_status)?;
        Ok(Response::new(pb::InspectImageResponse { image: Some(convert::details(d, &r.fields)) }))
    }

    async fn history(&self, req: Request<pb::HistoryRequest>) -> Result<Response<pb::HistoryResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let rows = self.engine.history(&ns, &req.into_inner().image).await.map_err(to_status)?;
        Ok(Response::new(pb::HistoryResponse { entries: rows.into_iter().map(convert::history_entry).collect() }))
    }

    async fn tag(&self, req: Request<pb::TagRequest>) -> Result<Response<pb::TagResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let (name, id) = self.engine.tag(&ns, &r.source, &r.target).await.map_err(to_status)?;
        Ok(Response::new(pb::TagResponse { reference: name.to_string(), image_id: id.to_string() }))
    }

    async fn remove(&self, req: Request<pb::RemoveImageRequest>) -> Result<Response<pb::RemoveImageResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let out = self
            .engine
            .remove(&ns, &r.image, RemoveOptions { force: r.force, no_prune: r.no_prune })
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::RemoveImageResponse {
            items: convert::delete_items(&out),
            space_reclaimed: out.space_reclaimed as i64,
        }))
    }

    async fn prune(&self, req: Request<pb::PruneImagesRequest>) -> Result<Response<pb::PruneImagesResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let r = req.into_inner();
        let out = self.engine.prune(&ns, r.all, convert::filters(r.filters)).await.map_err(to_status)?;
        Ok(Response::new(pb::PruneImagesResponse {
            items: convert::delete_items(&out),
            space_reclaimed: out.space_reclaimed as i64,
        }))
    }

    async fn disk_usage(&self, req: Request<pb::DiskUsageRequest>) -> Result<Response<pb::DiskUsageResponse>, Status> {
        let ns = convert::namespace(&req)?;
        let du = self.engine.disk_usage(&ns).await.map_err(to_status)?;
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
