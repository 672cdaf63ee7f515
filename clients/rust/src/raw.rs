//! Unary calls with encoded messages: for bindings that decode the answer themselves (the Python module
//! builds its objects straight from the wire bytes, without a prost round trip).

use bytes::{Buf, BufMut, Bytes};
use tonic::{
    Status,
    codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
    codegen::http::uri::PathAndQuery,
};

use prost::Message as _;

use crate::{Client, ClientError, pairs, pb};

/// Passes bytes through: the request is already encoded, the answer is left encoded.
#[derive(Debug, Clone, Copy, Default)]
struct RawCodec;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Bytes;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Bytes;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining())))
    }
}

impl Client {
    /// Calls the unary method `path` (`/imaged.v1.Images/List`) with an encoded request message, with this
    /// client's namespace and deadline; returns the encoded answer.
    pub async fn call_encoded(&self, path: &'static str, request: Vec<u8>) -> Result<Bytes, ClientError> {
        let mut grpc = tonic::client::Grpc::new(self.channel.clone()).max_decoding_message_size(64 << 20);
        grpc.ready().await.map_err(|e| ClientError::from(Status::unavailable(format!("imaged is not ready: {e}"))))?;
        let answer = grpc.unary(self.req(request), PathAndQuery::from_static(path), RawCodec).await?;
        Ok(answer.into_inner())
    }

    /// [`Client::list`]'s answer (`ListImagesResponse`) left encoded.
    pub async fn list_encoded(&self, all: bool, filters: Vec<(String, String)>) -> Result<Bytes, ClientError> {
        let req = pb::ListImagesRequest { all, filters: pairs(filters) };
        self.call_encoded("/imaged.v1.Images/List", req.encode_to_vec()).await
    }
}
