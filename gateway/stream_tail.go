package gateway

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/connect-gateway/connect-gateway/gateway/watch"
	connectv1 "github.com/connect-gateway/connect-gateway/gen/commercetools/connect/v1"
	"github.com/connect-gateway/connect-gateway/translate"
)

// serveTail serves TailDeploymentLogs: the entries from the start point,
// then new ones as the shared poller reads them, in messages of at most
// maxLogEntriesPerMessage entries.
func (g *Gateway) serveTail(ss grpc.ServerStream) error {
	req := &connectv1.TailDeploymentLogsRequest{}
	return g.serveStream(ss, g.streams.tailRoute, req, func(ctx context.Context, in callIn) error {
		key := g.keyFor(in, req.GetProjectKey(), req.GetId(), req.GetKey())
		key.application, key.startDate, key.pageToken = req.GetApplicationName(), req.GetStartDate(), req.GetPageToken()
		key.endWhenTerminal = req.GetEndWhenTerminal()
		sub, err := g.streams.tails.Subscribe(key, func() watch.PollFunc[logEvent] {
			return g.tailPoll(req, in.bearer)
		})
		target := translate.Target{ResourceType: "Deployment", ID: req.GetId(), Key: req.GetKey(), CorrelationID: in.correlationID}
		if err != nil {
			return subscriptionEnd(err, target)
		}
		defer sub.Close()
		for {
			evs, err := sub.Next(ctx, maxLogEntriesPerMessage)
			if err != nil {
				return subscriptionEnd(err, target)
			}
			msg := &connectv1.TailDeploymentLogsResponse{Entries: make([]*connectv1.DeploymentLog, len(evs))}
			for i, ev := range evs {
				msg.Entries[i] = ev.entry
			}
			if c := evs[len(evs)-1].cursor; c != "" {
				msg.NextPageToken = proto.String(c)
			}
			if err := ss.SendMsg(msg); err != nil {
				return err
			}
		}
	})
}

// tailPoll returns the poll of a log tail. It follows Connect's cursor: a
// page's `next` is the token of the following page; on a page without one
// (the last page, as Connect answers it) the tail stays on that page's
// token and skips the entries it already read, so that it works whether
// the last page has a cursor to poll for more or none. With
// end_when_terminal, each poll first reads the Deployment: once it is
// terminal (or gone), the entries read after that are the last.
func (g *Gateway) tailPoll(req *connectv1.TailDeploymentLogsRequest, bearer string) watch.PollFunc[logEvent] {
	page := &connectv1.GetDeploymentLogsRequest{ProjectKey: req.GetProjectKey(),
		ApplicationName: req.ApplicationName, StartDate: req.StartDate}
	get := &connectv1.GetDeploymentRequest{ProjectKey: req.GetProjectKey()}
	switch ref := req.GetRef().(type) {
	case *connectv1.TailDeploymentLogsRequest_Id:
		page.Ref = &connectv1.GetDeploymentLogsRequest_Id{Id: ref.Id}
		get.Ref = &connectv1.GetDeploymentRequest_Id{Id: ref.Id}
	case *connectv1.TailDeploymentLogsRequest_Key:
		page.Ref = &connectv1.GetDeploymentLogsRequest_Key{Key: ref.Key}
		get.Ref = &connectv1.GetDeploymentRequest_Key{Key: ref.Key}
	}
	token, skip := req.GetPageToken(), 0
	return func(ctx context.Context) (watch.Update[logEvent], error) {
		terminal := false
		if req.GetEndWhenTerminal() {
			resp, err := g.poll(ctx, g.streams.get, proto.Clone(get), bearer)
			switch {
			case isNotFound(err):
				return watch.Update[logEvent]{Done: true}, nil // deleted: its logs are gone with it
			case err != nil:
				return watch.Update[logEvent]{}, err
			}
			terminal = isTerminal(resp.(*connectv1.GetDeploymentResponse).GetDeployment().GetStatus())
		}
		var evs []logEvent
		for range maxLogPagesPerPoll {
			req := proto.CloneOf(page)
			if token != "" {
				req.PageToken = proto.String(token)
			}
			resp, err := g.poll(ctx, g.streams.logs, req, bearer)
			if err != nil {
				if len(evs) > 0 {
					break // send what was read; the next poll meets the error again
				}
				return watch.Update[logEvent]{}, err
			}
			p := resp.(*connectv1.GetDeploymentLogsResponse).GetPage()
			data, next := p.GetData(), p.GetNext()
			for i := skip; i < len(data); i++ {
				ev := logEvent{entry: data[i]}
				if i == len(data)-1 && next != "" && next != token {
					ev.cursor = next
				}
				evs = append(evs, ev)
			}
			if next == "" || next == token {
				skip = max(skip, len(data))
				return watch.Update[logEvent]{Events: evs, Changed: len(evs) > 0, Done: terminal}, nil
			}
			token, skip = next, 0
			if len(data) == 0 {
				return watch.Update[logEvent]{Events: evs, Changed: len(evs) > 0, Done: terminal}, nil
			}
		}
		// More pages wait: not drained yet, so not done; poll again soon.
		return watch.Update[logEvent]{Events: evs, Changed: true}, nil
	}
}
