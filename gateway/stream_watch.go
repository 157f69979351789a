package gateway

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/watch"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// serveWatch serves WatchDeployment: the Deployment now, then each change
// the shared poller sees, until a terminal state or deletion (OK), an
// upstream error (its status), or the caller's end.
func (g *Gateway) serveWatch(ss grpc.ServerStream) error {
	req := &connectv1.WatchDeploymentRequest{}
	return g.serveStream(ss, g.streams.watchRoute, req, func(ctx context.Context, in callIn) error {
		key := g.keyFor(in, req.GetProjectKey(), req.GetId(), req.GetKey())
		sub, err := g.streams.watches.Subscribe(key, func() watch.PollFunc[watchEvent] {
			return g.watchPoll(req, in.bearer)
		})
		target := translate.Target{ResourceType: "Deployment", ID: req.GetId(), Key: req.GetKey(), CorrelationID: in.correlationID}
		if err != nil {
			return subscriptionEnd(err, target)
		}
		defer sub.Close()
		for {
			evs, err := sub.Next(ctx, 0)
			if err != nil {
				return subscriptionEnd(err, target)
			}
			last := evs[len(evs)-1] // states supersede: only the latest is sent
			if err := ss.SendMsg(&connectv1.WatchDeploymentResponse{Deployment: last.deployment, Deleted: last.deleted}); err != nil {
				return err
			}
		}
	})
}

// watchPoll returns the poll of a watch: GetDeployment, as the unary call
// makes it, with the bearer of the watchers that share the poller. A new
// state is an event; a terminal one ends the feed; ResourceNotFound after
// the Deployment was seen ends it with the last state marked deleted.
func (g *Gateway) watchPoll(req *connectv1.WatchDeploymentRequest, bearer string) watch.PollFunc[watchEvent] {
	get := &connectv1.GetDeploymentRequest{ProjectKey: req.GetProjectKey()}
	switch ref := req.GetRef().(type) {
	case *connectv1.WatchDeploymentRequest_Id:
		get.Ref = &connectv1.GetDeploymentRequest_Id{Id: ref.Id}
	case *connectv1.WatchDeploymentRequest_Key:
		get.Ref = &connectv1.GetDeploymentRequest_Key{Key: ref.Key}
	}
	var last *connectv1.Deployment
	return func(ctx context.Context) (watch.Update[watchEvent], error) {
		resp, err := g.poll(ctx, g.streams.get, proto.Clone(get), bearer)
		if err != nil {
			if last != nil && isNotFound(err) {
				return watch.Update[watchEvent]{Events: []watchEvent{{deployment: last, deleted: true}}, Changed: true, Done: true}, nil
			}
			return watch.Update[watchEvent]{}, err
		}
		d := resp.(*connectv1.GetDeploymentResponse).GetDeployment()
		if last != nil && proto.Equal(last, d) {
			return watch.Update[watchEvent]{}, nil
		}
		last = d
		return watch.Update[watchEvent]{Events: []watchEvent{{deployment: d}}, Changed: true, Done: isTerminal(d.GetStatus())}, nil
	}
}
